// The stored line (PRODUCT §3 "Event line", "Marker line"; seed "Event Storage Model").
//
// One JSON object per line, keys in a fixed order so that the same event always
// encodes to the same text. The payload's JSON text is encoded once and reused
// for the size check, the SHA-256 and the line itself.
import { hash } from 'node:crypto';
import { Instant } from './instant.js';
import { parseUuid7 } from './identifier.js';
import { describeJsonType, isJsonObject, jsonStructureProblem, type JsonObject } from './json.js';
import { metadataSetKey, SENSOR_ID_KEY, userMetadataKey, validateStoredMetadata } from './metadata.js';
import type { EventLine, MarkerLine, MatchedRule, Metadata } from './event-shape.js';
import { VERIFICATION_CODES } from './verification-code.js';
import { verifyEvent } from '../rules/verify-event.js';

export type { EventAudit, EventLine, MarkerLine, MatchedRule } from './event-shape.js';

export const PAYLOAD_LIMITS = {
  /** Encoded JSON text of the payload, in bytes. */
  bytes: 1024 * 1024,
  /**
   * Nesting levels of the payload (the payload object itself is level 1).
   * protobufjs refuses messages nested past 100 levels, which a `Struct`
   * reaches at 49 JSON levels; 32 leaves headroom on the gRPC path and the
   * same limit applies to import, so both paths accept the same payloads.
   */
  depth: 32,
} as const;

/** Lines longer than this are refused before parsing (payload + snapshots + metadata). */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export type StoredLine = { kind: 'event'; event: EventLine } | { kind: 'marker'; marker: MarkerLine };

/**
 * An event ready to append: its line text (no newline) and the facts the store
 * and index need. Plain data, so it can cross from a worker thread cheaply.
 */
export interface EncodedEvent {
  eventId: string;
  clientTs: string;
  receivedTs: string;
  sensorId: string | null;
  ruleIds: string[];
  /** metadataSetKey(metadata), computed where the line is encoded (often a worker thread). */
  metadataKey: string;
  /** userMetadataKey(metadata): what "the same user metadata" compares. */
  userMetadataKey: string;
  /** The line's UTF-8 bytes, without the newline. */
  line: Uint8Array;
  /** The client gave no time and the station used the receipt time (so a resend's time cannot be compared). */
  clientTsFromReceipt: boolean;
  payloadSha256: Uint8Array;
  /** How many `$` keys the client tried to write (audit.stripped_metadata). */
  stripped: number;
  /** VERIFICATION_CODES: does the recorded match hold against the payload? */
  verification: number;
}

export class LineError extends Error {
  override name = 'LineError';
}

const OPTIONAL_KEYS = [
  'matched_rules',
  'rule_snapshot',
  'rule_snapshots',
  'record_snapshot',
  'matched_field',
  'matched_value',
  'matched_condition',
  'audit',
] as const;

const KNOWN_KEYS = new Set<string>([
  'event_id', 'client_timestamp', 'server_received_at', 'payload', 'metadata', ...OPTIONAL_KEYS,
]);

/**
 * Validates a payload and returns its JSON text, or throws a LineError with the
 * reason. `structureChecked`: the caller built the payload under the same
 * depth, Unicode and finiteness rules (the gRPC wire decoder does), so only
 * the size is left to check.
 */
export function encodePayload(payload: unknown, structureChecked = false): string {
  if (!isJsonObject(payload)) throw new LineError(`payload must be a JSON object, got ${describeJsonType(payload)}`);
  if (!structureChecked) {
    const problem = jsonStructureProblem(payload, PAYLOAD_LIMITS.depth, 'payload');
    if (problem) throw new LineError(problem);
  }
  const json = JSON.stringify(payload);
  // UTF-8 is at most 3 bytes per UTF-16 unit: skip the exact count when it cannot matter.
  if (json.length * 3 > PAYLOAD_LIMITS.bytes) {
    const bytes = Buffer.byteLength(json);
    if (bytes > PAYLOAD_LIMITS.bytes) {
      throw new LineError(`payload is ${bytes} bytes; the limit is ${PAYLOAD_LIMITS.bytes} (1 MB)`);
    }
  }
  return json;
}

export function sha256(data: string | Uint8Array): Buffer {
  return hash('sha256', data, 'buffer') as unknown as Buffer;
}

/** Encodes a validated event in canonical key order. */
export function encodeEvent(event: EventLine, payloadJson = encodePayload(event.payload)): EncodedEvent {
  const metadataJson = JSON.stringify(event.metadata);
  let text =
    '{"event_id":' + JSON.stringify(event.event_id) +
    ',"client_timestamp":' + JSON.stringify(event.client_timestamp) +
    ',"server_received_at":' + JSON.stringify(event.server_received_at) +
    ',"payload":' + payloadJson +
    ',"metadata":' + metadataJson;
  const rec = event as unknown as Record<string, unknown>;
  for (const key of OPTIONAL_KEYS) {
    const v = rec[key];
    if (v !== undefined) text += ',' + JSON.stringify(key) + ':' + JSON.stringify(v);
  }
  // Keys a newer station wrote are carried along, after the known ones.
  for (const key of Object.keys(rec)) {
    if (!KNOWN_KEYS.has(key) && rec[key] !== undefined) text += ',' + JSON.stringify(key) + ':' + JSON.stringify(rec[key]);
  }
  text += '}';
  return {
    eventId: event.event_id,
    clientTs: event.client_timestamp,
    receivedTs: event.server_received_at,
    sensorId: sensorOf(event),
    ruleIds: ruleIdsOf(event),
    metadataKey: metadataSetKey(event.metadata),
    userMetadataKey: userMetadataKey(event.metadata),
    line: Buffer.from(text),
    clientTsFromReceipt: event.audit?.client_timestamp_source === 'receipt',
    payloadSha256: sha256(payloadJson),
    stripped: strippedCount(event),
    verification: verificationCodeOf(event),
  };
}

export function encodeMarker(marker: MarkerLine): string {
  return JSON.stringify({
    marker: 'delete',
    marker_id: marker.marker_id,
    event_id: marker.event_id,
    marked_at: marker.marked_at,
    reason: marker.reason,
  });
}

export function sensorOf(event: EventLine): string | null {
  return event.metadata[SENSOR_ID_KEY] ?? null;
}

/** The index's code for how the event's recorded match re-verifies. */
export function verificationCodeOf(event: EventLine): number {
  const v = verifyEvent(event);
  return v === null ? VERIFICATION_CODES.none : VERIFICATION_CODES[v.verdict];
}

/** How many `$` keys the client tried to write, kept as evidence in audit.stripped_metadata. */
export function strippedCount(event: Pick<EventLine, 'audit'>): number {
  const s = event.audit?.stripped_metadata;
  return s && typeof s === 'object' ? Object.keys(s).length : 0;
}

export function ruleIdsOf(event: EventLine): string[] {
  return event.matched_rules ? event.matched_rules.map((r) => r.rule_id) : [];
}

function timestampField(obj: Record<string, unknown>, key: string): string {
  const v = obj[key];
  if (v === undefined || v === null) throw new LineError(`${key} is missing`);
  if (typeof v !== 'string') throw new LineError(`${key} must be an RFC 3339 string, got ${describeJsonType(v)}`);
  try {
    return Instant.normalize(v);
  } catch (e) {
    throw new LineError(`${key}: ${(e as Error).message}`);
  }
}

function idField(obj: Record<string, unknown>, key: string): string {
  if (obj[key] === undefined) throw new LineError(`${key} is missing`);
  try {
    return parseUuid7(obj[key], key);
  } catch (e) {
    throw new LineError((e as Error).message);
  }
}

function validateMatchedRules(v: unknown): MatchedRule[] {
  if (!Array.isArray(v)) throw new LineError(`matched_rules must be an array, got ${describeJsonType(v)}`);
  return v.map((r, i) => {
    if (!isJsonObject(r)) throw new LineError(`matched_rules[${i}] must be an object, got ${describeJsonType(r)}`);
    if (typeof r.rule_id !== 'string' || r.rule_id === '') throw new LineError(`matched_rules[${i}].rule_id must be a non-empty string`);
    return r as MatchedRule;
  });
}

/**
 * Validates a stored line's parsed JSON (the import path: lines from another
 * station are trusted for their `$tk` evidence but not for their shape).
 * Timestamps come back in canonical nine-digit form, ids in lower case.
 */
export function validateStoredLine(value: unknown): StoredLine {
  if (!isJsonObject(value)) throw new LineError(`line is ${describeJsonType(value)}; expected an event object`);
  if (value.marker !== undefined) return { kind: 'marker', marker: validateMarker(value) };

  const event_id = idField(value, 'event_id');
  const client_timestamp = timestampField(value, 'client_timestamp');
  const server_received_at = timestampField(value, 'server_received_at');
  if (value.payload === undefined) throw new LineError('payload is missing');
  if (!isJsonObject(value.payload)) throw new LineError(`payload must be a JSON object, got ${describeJsonType(value.payload)}`);
  let metadata: Metadata;
  try {
    metadata = validateStoredMetadata(value.metadata);
  } catch (e) {
    throw new LineError((e as Error).message);
  }
  const event: EventLine = { ...value, event_id, client_timestamp, server_received_at, payload: value.payload, metadata } as EventLine;
  if (value.matched_rules !== undefined) event.matched_rules = validateMatchedRules(value.matched_rules);
  for (const key of ['rule_snapshot', 'audit'] as const) {
    const v = value[key];
    if (v !== undefined && !isJsonObject(v)) throw new LineError(`${key} must be an object, got ${describeJsonType(v)}`);
  }
  if (value.rule_snapshots !== undefined) {
    if (!Array.isArray(value.rule_snapshots) || !value.rule_snapshots.every(isJsonObject)) {
      throw new LineError('rule_snapshots must be an array of objects');
    }
  }
  if (value.matched_field !== undefined && typeof value.matched_field !== 'string') {
    throw new LineError(`matched_field must be a string, got ${describeJsonType(value.matched_field)}`);
  }
  return { kind: 'event', event };
}

function validateMarker(value: JsonObject): MarkerLine {
  if (value.marker !== 'delete') throw new LineError(`marker ${JSON.stringify(value.marker)} is unknown; only "delete" exists`);
  const reason = value.reason;
  if (typeof reason !== 'string') throw new LineError('marker reason must be a string');
  return {
    marker: 'delete',
    marker_id: idField(value, 'marker_id'),
    event_id: idField(value, 'event_id'),
    marked_at: timestampField(value, 'marked_at'),
    reason,
  };
}

/** Reads one of our own lines without re-validating it (reindex, get). */
export function parseOwnLine(text: string): StoredLine {
  const value = JSON.parse(text) as Record<string, unknown>;
  if (value.marker !== undefined) return { kind: 'marker', marker: value as unknown as MarkerLine };
  return { kind: 'event', event: value as unknown as EventLine };
}
