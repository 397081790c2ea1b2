// ReportEventsRequest decoded straight from protobuf bytes into plain JSON.
//
// protobufjs decodes a `Struct` payload into Struct/Value objects that are then
// converted to JSON: measured here at ~11–14k events/s, most of it in that
// decoding and the garbage it leaves. This decoder walks the wire format once
// and builds the JSON payload directly. It also judges per event what the
// reference decoder can only fail for the whole call: a payload nested past
// the limit, invalid UTF-8 in a string, a truncated event. Map keys are sorted,
// as struct-json.ts does, so both paths give the same JSON text.
//
// Wire format: https://protobuf.dev/programming-guides/encoding/ (varint tags,
// wire types 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).
import protobuf from 'protobufjs';
import { join } from 'node:path';
import { PAYLOAD_LIMITS } from '../domain/event-line.js';
import type { JsonObject, JsonValue } from '../domain/json.js';
import { PACKAGE_ROOT } from '../package-root.js';
import type { DecodedEvent, DecodedRequest } from './report-events.js';
import type { ProtoRule } from './rule-snapshot.js';

export class WireError extends Error {
  override name = 'WireError';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Reader {
  pos: number;
  constructor(readonly buf: Uint8Array, start: number, readonly end: number) {
    this.pos = start;
  }

  varint(): number {
    let result = 0;
    let shift = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('message ends inside a varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** A signed 64-bit varint as a decimal string (Timestamp.seconds may be negative). */
  int64(): string {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('message ends inside a varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asIntN(64, result).toString();
      shift += 7n;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** Bounds of a length-delimited field's contents; moves past them. */
  delimited(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (len > this.end - start) throw new WireError('a length-delimited field runs past the end of its message');
    this.pos = start + len;
    return [start, start + len];
  }

  string(what: string): string {
    const [s, e] = this.delimited();
    try {
      return utf8.decode(this.buf.subarray(s, e));
    } catch {
      throw new WireError(`${what} is not valid UTF-8`);
    }
  }

  double(): number {
    if (this.end - this.pos < 8) throw new WireError('message ends inside a double');
    const v = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, 8).readDoubleLE(0);
    this.pos += 8;
    return v;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.delimited();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new WireError(`wire type ${wireType} is not used by this protocol`);
    }
    if (this.pos > this.end) throw new WireError('message ends inside a field');
  }
}

function timestamp(r: Reader, s: number, e: number): { seconds: string; nanos: number } {
  const t = new Reader(r.buf, s, e);
  let seconds = '0';
  let nanos = 0;
  while (t.pos < t.end) {
    const tag = t.varint();
    if (tag === 0x08) seconds = t.int64();
    else if (tag === 0x10) nanos = Number(BigInt.asIntN(32, BigInt(t.varint())));
    else t.skip(tag & 7);
  }
  return { seconds, nanos };
}

// ---- Struct / Value / ListValue → JSON ----

function struct(buf: Uint8Array, s: number, e: number, depth: number, what: string): JsonObject {
  if (depth > PAYLOAD_LIMITS.depth) throw new WireError(`${what} nests deeper than ${PAYLOAD_LIMITS.depth} levels (the limit)`);
  const r = new Reader(buf, s, e);
  const entries = new Map<string, JsonValue>();
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag !== 0x0a) {
      r.skip(tag & 7);
      continue;
    }
    const [es, ee] = r.delimited();
    const entry = new Reader(buf, es, ee);
    let key = '';
    let value: JsonValue = null;
    while (entry.pos < entry.end) {
      const t = entry.varint();
      if (t === 0x0a) key = entry.string(`a key in ${what}`);
      else if (t === 0x12) {
        const [vs, ve] = entry.delimited();
        value = valueOf(buf, vs, ve, depth, what);
      } else entry.skip(t & 7);
    }
    entries.set(key, value);
  }
  const out: JsonObject = {};
  for (const key of [...entries.keys()].sort()) out[key] = entries.get(key)!;
  return out;
}

function list(buf: Uint8Array, s: number, e: number, depth: number, what: string): JsonValue[] {
  if (depth > PAYLOAD_LIMITS.depth) throw new WireError(`${what} nests deeper than ${PAYLOAD_LIMITS.depth} levels (the limit)`);
  const r = new Reader(buf, s, e);
  const out: JsonValue[] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 0x0a) {
      const [vs, ve] = r.delimited();
      out.push(valueOf(buf, vs, ve, depth, what));
    } else r.skip(tag & 7);
  }
  return out;
}

/** A Value; `depth` is the JSON level of the container holding it. */
function valueOf(buf: Uint8Array, s: number, e: number, depth: number, what: string): JsonValue {
  const r = new Reader(buf, s, e);
  let v: JsonValue = null; // no kind set is how proto3 says null
  while (r.pos < r.end) {
    const tag = r.varint();
    switch (tag) {
      case 0x08: // null_value
        r.varint();
        v = null;
        break;
      case 0x11: {
        // number_value
        const n = r.double();
        if (!Number.isFinite(n)) throw new WireError(`a number value is ${n}, which JSON cannot hold`);
        v = n;
        break;
      }
      case 0x1a:
        v = r.string(`a string in ${what}`);
        break;
      case 0x20:
        v = r.varint() !== 0;
        break;
      case 0x2a: {
        const [ss, se] = r.delimited();
        v = struct(buf, ss, se, depth + 1, what);
        break;
      }
      case 0x32: {
        const [ls, le] = r.delimited();
        v = list(buf, ls, le, depth + 1, what);
        break;
      }
      default:
        r.skip(tag & 7);
    }
  }
  return v;
}

// ---- Rules (rare: the sensor's own snapshot) go through protobufjs ----

let ruleType: protobuf.Type | undefined;
let matchedRuleType: protobuf.Type | undefined;

function loadTypes(): void {
  if (ruleType) return;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : join(PACKAGE_ROOT, 'proto', target));
  root.loadSync('trapperkeeper/sensor/v1/event.proto', { keepCase: true });
  ruleType = root.lookupType('trapperkeeper.sensor.v1.Rule');
  matchedRuleType = root.lookupType('trapperkeeper.sensor.v1.MatchedRule');
}

const TO_OBJECT: protobuf.IConversionOptions = { enums: String, longs: String, defaults: false, oneofs: true };

function rule(buf: Uint8Array, s: number, e: number): ProtoRule {
  loadTypes();
  return ruleType!.toObject(ruleType!.decode(buf.subarray(s, e)), TO_OBJECT) as ProtoRule;
}

// ---- Event and request ----

function event(buf: Uint8Array, s: number, e: number): DecodedEvent {
  const r = new Reader(buf, s, e);
  const ev: DecodedEvent = { metadata: {} };
  try {
    while (r.pos < r.end) {
      const tag = r.varint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (wire !== 2 && field !== 0) {
        r.skip(wire);
        continue;
      }
      switch (field) {
        case 1:
          ev.event_id = r.string('event_id');
          break;
        case 2: {
          const [ps, pe] = r.delimited();
          ev.payloadJson = struct(buf, ps, pe, 1, 'payload');
          break;
        }
        case 3: {
          const [ms, me] = r.delimited();
          const m = new Reader(buf, ms, me);
          let key = '';
          let value = '';
          while (m.pos < m.end) {
            const t = m.varint();
            if (t === 0x0a) key = m.string('a metadata key');
            else if (t === 0x12) value = m.string(`metadata value of ${JSON.stringify(key)}`);
            else m.skip(t & 7);
          }
          ev.metadata![key] = value;
          break;
        }
        case 4: {
          const [ts, te] = r.delimited();
          ev.client_timestamp = timestamp(r, ts, te);
          break;
        }
        case 100: {
          const [ms, me] = r.delimited();
          loadTypes();
          const m = matchedRuleType!.toObject(matchedRuleType!.decode(buf.subarray(ms, me)), TO_OBJECT) as { rule_id?: string; action?: string };
          (ev.matched_rules ??= []).push(m);
          break;
        }
        case 101: {
          const [rs, re] = r.delimited();
          ev.rule_snapshot = rule(buf, rs, re);
          break;
        }
        case 102: {
          const [ss, se] = r.delimited();
          ev.recordSnapshotJson = struct(buf, ss, se, 1, 'record_snapshot');
          break;
        }
        case 103:
          ev.matched_field = r.string('matched_field');
          break;
        case 104: {
          const [vs, ve] = r.delimited();
          ev.matchedValueJson = valueOf(buf, vs, ve, 0, 'matched_value');
          break;
        }
        case 105: {
          const [ls, le] = r.delimited();
          ev.matchedConditionJson = list(buf, ls, le, 1, 'matched_condition');
          break;
        }
        case 106: {
          const [rs, re] = r.delimited();
          (ev.rule_snapshots ??= []).push(rule(buf, rs, re));
          break;
        }
        default:
          r.skip(wire);
      }
    }
  } catch (err) {
    ev.invalid = err instanceof WireError ? err.message : `the event cannot be decoded (${(err as Error).message})`;
  }
  return ev;
}

/**
 * Decodes a ReportEventsRequest. Never throws: a request whose framing is
 * broken comes back with `malformed`; an event that cannot be read comes back
 * with `invalid`, and the others still count.
 */
export function decodeReportEventsRequest(buf: Buffer): DecodedRequest {
  const req: DecodedRequest = { events: [] };
  const r = new Reader(buf, 0, buf.length);
  try {
    while (r.pos < r.end) {
      const tag = r.varint();
      if (tag === 0x0a) {
        const [es, ee] = r.delimited();
        req.events!.push(event(buf, es, ee));
      } else if (tag === 0x12) req.sensor_id = r.string('sensor_id');
      else if (tag === 0x1a) {
        const [ts, te] = r.delimited();
        req.client_timestamp = timestamp(r, ts, te);
      } else r.skip(tag & 7);
    }
  } catch (err) {
    req.malformed = `the request is not a valid ReportEventsRequest: ${(err as Error).message}`;
  }
  return req;
}
