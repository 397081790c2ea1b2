// Reading the index facts of one of our own event lines without parsing the
// whole line (reindex and catch-up read every line; payloads and snapshots are
// most of the bytes and the index needs none of their values).
//
// Our lines are canonical (core/domain/event-line.ts encodeEvent): a fixed
// prefix of id and two nine-digit timestamps, then `"payload":` whose text is
// exactly the text the payload hash was taken over, then `"metadata":`, then
// `"matched_rules":` when rules matched. A line that is not in this shape
// returns null and is read the slow way.
import { parseOwnLine, ruleIdsOf, sha256, strippedCount, verificationCodeOf, type EventAudit, type EventLine, type MarkerLine } from './event-line.js';
import { VERIFICATION_CODES } from './verification-code.js';
import { metadataSetKey, SENSOR_ID_KEY, type Metadata } from './metadata.js';

export interface LineFields {
  eventId: string;
  clientTs: string;
  receivedTs: string;
  payloadSha256: Buffer;
  metadata: Metadata;
  ruleIds: string[];
  /** Keys in audit.stripped_metadata. */
  stripped: number;
  /** VERIFICATION_CODES of its recorded match. */
  verification: number;
}

const enc = (s: string) => Buffer.from(s, 'latin1');
const P_ID = enc('{"event_id":"');
const P_CLIENT = enc('","client_timestamp":"');
const P_RECEIVED = enc('","server_received_at":"');
const P_PAYLOAD = enc('","payload":');
const P_METADATA = enc(',"metadata":');
const P_RULES = enc(',"matched_rules":');
const ID_LEN = 36;
const TS_LEN = 30;

function at(b: Buffer, i: number, lit: Buffer): boolean {
  return b.length >= i + lit.length && b.compare(lit, 0, lit.length, i, i + lit.length) === 0;
}

/** Index just past the JSON object or array starting at `i`, or -1. Strings and escapes are skipped. */
export function endOfContainer(b: Uint8Array, i: number): number {
  let depth = 0;
  for (; i < b.length; i++) {
    const c = b[i];
    if (c === 0x22) {
      for (i++; i < b.length; i++) {
        const d = b[i];
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

export function readLineFields(b: Buffer): LineFields | null {
  let i = 0;
  if (!at(b, i, P_ID)) return null;
  i += P_ID.length;
  const eventId = b.toString('latin1', i, i + ID_LEN);
  i += ID_LEN;
  if (!at(b, i, P_CLIENT)) return null;
  i += P_CLIENT.length;
  const clientTs = b.toString('latin1', i, i + TS_LEN);
  i += TS_LEN;
  if (!at(b, i, P_RECEIVED)) return null;
  i += P_RECEIVED.length;
  const receivedTs = b.toString('latin1', i, i + TS_LEN);
  i += TS_LEN;
  if (!at(b, i, P_PAYLOAD)) return null;
  i += P_PAYLOAD.length;
  if (b[i] !== 0x7b) return null;
  const payloadEnd = endOfContainer(b, i);
  if (payloadEnd < 0) return null;
  const payloadSha256 = sha256(b.subarray(i, payloadEnd));
  i = payloadEnd;
  if (!at(b, i, P_METADATA)) return null;
  i += P_METADATA.length;
  const metaEnd = endOfContainer(b, i);
  if (metaEnd < 0) return null;
  const metadata = JSON.parse(b.toString('utf8', i, metaEnd)) as Metadata;
  i = metaEnd;
  let ruleIds: string[] = [];
  if (at(b, i, P_RULES)) {
    i += P_RULES.length;
    const rulesEnd = endOfContainer(b, i);
    if (rulesEnd < 0) return null;
    const rules = JSON.parse(b.toString('utf8', i, rulesEnd)) as Array<{ rule_id: string }>;
    ruleIds = rules.map((r) => r.rule_id);
    i = rulesEnd;
  }
  const rest = membersAfter(b, i);
  if (!rest) return null;
  // A recorded match is re-verified from the whole event (the payload and the snapshots are needed).
  const verification = rest.snapshot ? verificationCodeOf(JSON.parse(b.toString('utf8')) as EventLine) : VERIFICATION_CODES.none;
  return { eventId, clientTs, receivedTs, payloadSha256, metadata, ruleIds, stripped: rest.stripped, verification };
}

const P_AUDIT = enc(',"audit":');

const P_SNAPSHOT = enc(',"rule_snapshot":');
const P_SNAPSHOTS = enc(',"rule_snapshots":');

/**
 * From the members left at `i` (snapshots, audit, newer keys), skipping their
 * values unread: the stripped-key count of `audit`, and whether a rule
 * snapshot is there. null when the rest is not in canonical shape.
 */
function membersAfter(b: Buffer, i: number): { stripped: number; snapshot: boolean } | null {
  let snapshot = false;
  let stripped = 0;
  while (i < b.length && b[i] === 0x2c) {
    if (at(b, i, P_SNAPSHOT) || at(b, i, P_SNAPSHOTS)) snapshot = true;
    if (at(b, i, P_AUDIT)) {
      const end = endOfContainer(b, i + P_AUDIT.length);
      if (end < 0) return null;
      stripped = strippedCount({ audit: JSON.parse(b.toString('utf8', i + P_AUDIT.length, end)) as EventAudit });
      i = end;
      continue;
    }
    // `,"key":` then a value: a container, a string or a scalar.
    if (b[i + 1] !== 0x22) return null;
    const keyEnd = b.indexOf(0x22, i + 2);
    if (keyEnd < 0 || b[keyEnd + 1] !== 0x3a) return null;
    i = endOfValue(b, keyEnd + 2);
    if (i < 0) return null;
  }
  return b[i] === 0x7d ? { stripped, snapshot } : null;
}

function endOfValue(b: Buffer, i: number): number {
  const c = b[i];
  if (c === 0x7b || c === 0x5b) return endOfContainer(b, i);
  if (c === 0x22) {
    for (i++; i < b.length; i++) {
      if (b[i] === 0x5c) i++;
      else if (b[i] === 0x22) return i + 1;
    }
    return -1;
  }
  while (i < b.length && b[i] !== 0x2c && b[i] !== 0x7d) i++;
  return i;
}

/** What the index takes from one stored line (read off the main thread during catch-up). */
export type IndexFacts =
  | {
      kind: 'event';
      eventId: string;
      clientTs: string;
      receivedTs: string;
      sensorId: string | null;
      payloadSha256: Uint8Array;
      ruleIds: string[];
      metadataKey: string;
      stripped: number;
      verification: number;
    }
  | { kind: 'marker'; marker: MarkerLine }
  | { kind: 'unreadable'; problem: string };

export function indexFactsOf(bytes: Buffer): IndexFacts {
  let fields = readLineFields(bytes);
  if (!fields) {
    // Not in canonical shape (or a marker): the slow way, a full parse.
    let parsed;
    try {
      parsed = parseOwnLine(bytes.toString('utf8'));
    } catch (e) {
      return { kind: 'unreadable', problem: (e as Error).message };
    }
    if (parsed.kind === 'marker') return { kind: 'marker', marker: parsed.marker };
    const e = parsed.event;
    if (typeof e.event_id !== 'string' || e.payload === undefined) return { kind: 'unreadable', problem: 'not an event or marker line' };
    fields = {
      eventId: e.event_id,
      clientTs: e.client_timestamp,
      receivedTs: e.server_received_at,
      payloadSha256: sha256(JSON.stringify(e.payload)),
      metadata: e.metadata ?? {},
      ruleIds: ruleIdsOf(e),
      stripped: strippedCount(e),
      verification: verificationCodeOf(e),
    };
  }
  return {
    kind: 'event',
    eventId: fields.eventId,
    clientTs: fields.clientTs,
    receivedTs: fields.receivedTs,
    sensorId: fields.metadata[SENSOR_ID_KEY] ?? null,
    payloadSha256: fields.payloadSha256,
    ruleIds: fields.ruleIds,
    metadataKey: metadataSetKey(fields.metadata),
    stripped: fields.stripped,
    verification: fields.verification,
  };
}

/** Index facts of a batch: `buf` holds the lines back to back, `ends[i]` is where line i (and its newline) ends. */
export function indexFactsOfBatch(buf: Uint8Array, ends: ArrayLike<number>): IndexFacts[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: IndexFacts[] = new Array(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i]!;
    out[i] = indexFactsOf(b.subarray(start, b[end - 1] === 0x0a ? end - 1 : end));
    start = end;
  }
  packInto(out.map((f) => (f.kind === 'event' ? f : null)), 'payloadSha256');
  return out;
}

/**
 * Moves each holder's bytes under `field` (digests, lines) into one shared
 * buffer: a worker's reply then carries one ArrayBuffer instead of one per
 * event, which structured cloning makes costly.
 */
export function packInto<K extends string>(holders: Array<{ [k in K]: Uint8Array } | null>, field: K): void {
  const n = holders.reduce((a, h) => a + (h ? h[field].length : 0), 0);
  const all = new Uint8Array(n);
  let at = 0;
  for (const h of holders) {
    if (!h) continue;
    const bytes = h[field];
    all.set(bytes, at);
    (h as Record<K, Uint8Array>)[field] = all.subarray(at, at + bytes.length);
    at += bytes.length;
  }
}
