// Sensor API keys (PRODUCT §4, upstream doc/06-security): the key a person
// hands to a sensor is `tk-v1-<secret id: 32 hex>-<random: 64 hex>`; the
// station keeps only HMAC-SHA256(secret, key) and compares in constant time.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_SHAPE = /^tk-v1-([0-9a-f]{32})-([0-9a-f]{64})$/;

export interface HmacSecret {
  secretId: string;
  secret: Buffer;
}

export interface StoredKey {
  apiKeyId: string;
  secretId: string;
  keyHash: Buffer;
  revoked: boolean;
}

export type KeyCheck =
  | { ok: true; apiKeyId: string }
  | { ok: false; kind: 'missing' | 'malformed' | 'unknown' | 'revoked'; message: string };

export function newHmacSecret(): HmacSecret {
  return { secretId: randomBytes(16).toString('hex'), secret: randomBytes(32) };
}

export function newApiKey(secret: HmacSecret): { key: string; keyHash: Buffer } {
  const key = `tk-v1-${secret.secretId}-${randomBytes(32).toString('hex')}`;
  return { key, keyHash: keyHash(secret.secret, key) };
}

export function keyHash(secret: Buffer, key: string): Buffer {
  return createHmac('sha256', secret).update(key).digest();
}

/** Checks a presented key against the station's secrets and stored keys. */
export function checkApiKey(presented: string | undefined, secrets: Map<string, Buffer>, keys: StoredKey[]): KeyCheck {
  if (presented === undefined || presented === '') {
    return { ok: false, kind: 'missing', message: 'an API key is required (x-api-key header)' };
  }
  const m = KEY_SHAPE.exec(presented);
  if (!m) return { ok: false, kind: 'malformed', message: 'the API key is not in tk-v1-<secret id>-<random> form' };
  const secret = secrets.get(m[1]!);
  if (!secret) return { ok: false, kind: 'unknown', message: 'the API key is not known to this station' };
  const hash = keyHash(secret, presented);
  let found: StoredKey | undefined;
  // Compare with every key of this secret, so timing does not tell which one (or whether one) matched.
  for (const k of keys) {
    if (k.secretId === m[1] && k.keyHash.length === hash.length && timingSafeEqual(k.keyHash, hash)) found = k;
  }
  if (!found) return { ok: false, kind: 'unknown', message: 'the API key is not known to this station' };
  if (found.revoked) return { ok: false, kind: 'revoked', message: 'the API key has been revoked' };
  return { ok: true, apiKeyId: found.apiKeyId };
}
