import { describe, expect, it } from 'vitest';
import { checkApiKey, keyHash, newApiKey, newHmacSecret, type StoredKey } from '../../../core/domain/api-key.js';

describe('API keys', () => {
  const secret = newHmacSecret();
  const a = newApiKey(secret);
  const b = newApiKey(secret);
  const secrets = new Map([[secret.secretId, secret.secret]]);
  const keys: StoredKey[] = [
    { apiKeyId: 'a', secretId: secret.secretId, keyHash: a.keyHash, revoked: false },
    { apiKeyId: 'b', secretId: secret.secretId, keyHash: b.keyHash, revoked: true },
  ];

  it('have upstream\'s shape and are stored only as an HMAC', () => {
    expect(a.key).toMatch(new RegExp(`^tk-v1-${secret.secretId}-[0-9a-f]{64}$`));
    expect(a.key).toHaveLength(6 + 32 + 1 + 64);
    expect(a.keyHash.equals(keyHash(secret.secret, a.key))).toBe(true);
    expect(a.keyHash.toString('hex')).not.toContain(a.key.slice(39));
    expect(a.key).not.toBe(b.key);
  });

  it('check: good, missing, malformed, unknown, revoked', () => {
    expect(checkApiKey(a.key, secrets, keys)).toEqual({ ok: true, apiKeyId: 'a' });
    expect(checkApiKey(undefined, secrets, keys)).toMatchObject({ ok: false, kind: 'missing' });
    expect(checkApiKey('tk-v1-xyz', secrets, keys)).toMatchObject({ ok: false, kind: 'malformed' });
    expect(checkApiKey(a.key.toUpperCase(), secrets, keys)).toMatchObject({ ok: false, kind: 'malformed' });
    expect(checkApiKey(newApiKey(newHmacSecret()).key, secrets, keys)).toMatchObject({ ok: false, kind: 'unknown' });
    expect(checkApiKey(newApiKey(secret).key, secrets, keys)).toMatchObject({ ok: false, kind: 'unknown' });
    expect(checkApiKey(b.key, secrets, keys)).toMatchObject({ ok: false, kind: 'revoked' });
  });
});
