// Event metadata and the reserved `$` namespace (PRODUCT §3 "`$tk.*` metadata",
// seed "Client Metadata Namespace").
//
// Clients may not write keys starting with `$`: on ingest they are stripped
// (kept as evidence in `audit.stripped_metadata`) and the station writes the
// true system values. Imported lines are trusted and keep their `$` keys.

import type { Metadata } from './event-shape.js';

export type { Metadata } from './event-shape.js';

export const METADATA_LIMITS = {
  pairs: 64,
  keyChars: 128,
  valueChars: 1024,
  totalBytes: 64 * 1024,
} as const;

export const SYSTEM_KEYS = {
  apiType: '$tk.api_type',
  apiVersion: '$tk.api_version',
  clientIp: '$tk.client_ip',
  clientTimestamp: '$tk.client_timestamp',
  serverReceivedAt: '$tk.server_received_at',
  serverVersion: '$tk.server_version',
} as const;

export const SENSOR_ID_KEY = 'sensor_id';

/** System keys whose value differs on every event (they repeat the line's own timestamps). */
export const PER_EVENT_KEYS: ReadonlySet<string> = new Set([SYSTEM_KEYS.clientTimestamp, SYSTEM_KEYS.serverReceivedAt]);

/**
 * Text that is equal exactly when two metadata maps agree on every pair but the
 * per-event timestamps: a sensor's events share it, so the index stores each
 * such set of pairs once.
 */
export function metadataSetKey(md: Metadata): string {
  const pairs: Array<[string, string]> = [];
  for (const k in md) if (!PER_EVENT_KEYS.has(k)) pairs.push([k, md[k]!]);
  return JSON.stringify(pairs);
}

/** The pairs of a metadataSetKey, back again. */
export function pairsOfSetKey(key: string): Array<[string, string]> {
  return JSON.parse(key) as Array<[string, string]>;
}

/**
 * Text equal exactly when two events carry the same user metadata (keys not
 * starting with `$`), whatever the key order: the "same event twice" test.
 */
export function userMetadataKey(md: Metadata): string {
  return JSON.stringify(Object.keys(md).filter((k) => !isReservedKey(k)).sort().map((k) => [k, md[k]]));
}


export class MetadataError extends Error {
  override name = 'MetadataError';
}

export function isReservedKey(key: string): boolean {
  return key.startsWith('$');
}

/** Unicode code points in `s` (the seed counts characters, not UTF-16 units). */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

function cutToCodePoints(s: string, max: number): string {
  if (s.length <= max) return s;
  return Array.from(s).slice(0, max).join('');
}

// C0 controls, DEL and C1 controls.
const CONTROL_CHAR = /[\u0000-\u001f\u007f-\u009f]/;

function showKey(key: string): string {
  const shown = key.length > 40 ? key.slice(0, 40) + '…' : key;
  return JSON.stringify(shown);
}

/** Checks one key/value pair against the per-pair limits; throws naming the limit and key. */
function checkPair(key: string, value: unknown): void {
  if (key === '') throw new MetadataError('metadata has an empty key');
  const ctl = CONTROL_CHAR.exec(key);
  if (ctl) {
    const cp = ctl[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new MetadataError(`metadata key ${showKey(key)} contains control character U+${cp}`);
  }
  if (!key.isWellFormed()) throw new MetadataError(`metadata key ${showKey(key)} is not valid Unicode (lone surrogate)`);
  if (key.length > METADATA_LIMITS.keyChars && codePointLength(key) > METADATA_LIMITS.keyChars) {
    throw new MetadataError(
      `metadata key ${showKey(key)} is ${codePointLength(key)} characters; the limit is ${METADATA_LIMITS.keyChars}`,
    );
  }
  if (typeof value !== 'string') {
    throw new MetadataError(`metadata value of ${showKey(key)} must be a string, got ${value === null ? 'null' : typeof value}`);
  }
  if (!value.isWellFormed()) throw new MetadataError(`metadata value of ${showKey(key)} is not valid Unicode (lone surrogate)`);
  if (value.length > METADATA_LIMITS.valueChars && codePointLength(value) > METADATA_LIMITS.valueChars) {
    throw new MetadataError(
      `metadata value of ${showKey(key)} is ${codePointLength(value)} characters; the limit is ${METADATA_LIMITS.valueChars}`,
    );
  }
}

function checkTotals(pairs: number, bytes: number): void {
  if (pairs > METADATA_LIMITS.pairs) {
    throw new MetadataError(`metadata has ${pairs} user pairs; the limit is ${METADATA_LIMITS.pairs}`);
  }
  if (bytes > METADATA_LIMITS.totalBytes) {
    throw new MetadataError(`metadata is ${bytes} bytes; the limit is ${METADATA_LIMITS.totalBytes} (64 KB)`);
  }
}

function asRecord(md: unknown): Record<string, unknown> {
  if (md === undefined || md === null) return {};
  if (typeof md !== 'object' || Array.isArray(md)) {
    throw new MetadataError(`metadata must be an object of string values, got ${Array.isArray(md) ? 'an array' : typeof md}`);
  }
  return md as Record<string, unknown>;
}

/**
 * Validates the metadata of a stored line being imported: every pair obeys the
 * per-pair limits; the user pairs (not `$`) obey the count and size limits.
 * `$` keys are the other station's evidence and are kept as they are.
 */
export function validateStoredMetadata(md: unknown): Metadata {
  const rec = asRecord(md);
  let pairs = 0;
  let bytes = 0;
  for (const key of Object.keys(rec)) {
    const value = rec[key];
    checkPair(key, value);
    if (!isReservedKey(key)) {
      pairs++;
      bytes += Buffer.byteLength(key) + Buffer.byteLength(value as string);
    }
  }
  checkTotals(pairs, bytes);
  return rec as Metadata;
}

export interface SystemFacts {
  apiType?: string | undefined;
  apiVersion?: string | undefined;
  clientIp?: string | undefined;
  clientTimestamp: string;
  serverReceivedAt: string;
  serverVersion: string;
}

export interface SanitizedMetadata {
  metadata: Metadata;
  /** Client-supplied `$…` keys with their values cut at 1024 characters; undefined when none. */
  stripped: Metadata | undefined;
  /** A client `sensor_id` that disagreed with the request's. */
  claimedSensorId: string | undefined;
}

/**
 * Sanitises metadata arriving from a sensor (gRPC ingest): strips `$` keys,
 * enforces the limits on what remains, applies the request's sensor id and
 * writes the system fields. Throws MetadataError naming the limit and key.
 */
export function sanitizeIncomingMetadata(
  clientMetadata: unknown,
  requestSensorId: string | undefined,
  system: SystemFacts,
): SanitizedMetadata {
  const rec = asRecord(clientMetadata);
  const metadata: Metadata = {};
  let stripped: Metadata | undefined;
  let pairs = 0;
  let bytes = 0;
  for (const key of Object.keys(rec)) {
    const value = rec[key];
    if (isReservedKey(key)) {
      stripped ??= {};
      stripped[key] = typeof value === 'string' ? cutToCodePoints(value, METADATA_LIMITS.valueChars) : String(value);
      continue;
    }
    checkPair(key, value);
    pairs++;
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value as string);
    metadata[key] = value as string;
  }
  checkTotals(pairs, bytes);

  let claimedSensorId: string | undefined;
  if (requestSensorId !== undefined && requestSensorId !== '') {
    const claimed = metadata[SENSOR_ID_KEY];
    if (claimed !== undefined && claimed !== requestSensorId) claimedSensorId = claimed;
    checkPair(SENSOR_ID_KEY, requestSensorId);
    metadata[SENSOR_ID_KEY] = requestSensorId;
  }

  if (system.apiType !== undefined) metadata[SYSTEM_KEYS.apiType] = system.apiType;
  if (system.apiVersion !== undefined) metadata[SYSTEM_KEYS.apiVersion] = system.apiVersion;
  if (system.clientIp !== undefined) metadata[SYSTEM_KEYS.clientIp] = system.clientIp;
  metadata[SYSTEM_KEYS.clientTimestamp] = system.clientTimestamp;
  metadata[SYSTEM_KEYS.serverReceivedAt] = system.serverReceivedAt;
  metadata[SYSTEM_KEYS.serverVersion] = system.serverVersion;
  return { metadata, stripped, claimedSensorId };
}
