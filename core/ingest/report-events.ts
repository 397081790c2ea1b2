// ReportEvents, apart from its transport (PRODUCT §3–§4, issue "sensor
// listener"): every event of a decoded request gets a verdict of its own; the
// accepted ones are stored in one append, and ACCEPTED is only said once
// their lines are durable.
import { Instant, InstantError } from '../domain/instant.js';
import { newUuid7, uuid7Problem } from '../domain/identifier.js';
import { encodeEvent, encodePayload, LineError, type EncodedEvent, type EventAudit, type EventLine, type MatchedRule }
  from '../domain/event-line.js';
import { MetadataError, sanitizeIncomingMetadata } from '../domain/metadata.js';
import type { JsonObject, JsonValue } from '../domain/json.js';
import { structToJson, valueToJson, StructError, type ProtoStruct, type ProtoValue } from './struct-json.js';
import { evaluateAtStation, type StationRule } from '../rules/station-evaluation.js';
import { ruleToSnapshot, type ProtoRule } from './rule-snapshot.js';

type ProtoTimestamp = { seconds?: unknown; nanos?: unknown } | null | undefined;

export interface DecodedEvent {
  event_id?: string;
  payload?: ProtoStruct | null;
  metadata?: Record<string, string>;
  client_timestamp?: ProtoTimestamp;
  matched_rules?: Array<{ rule_id?: string; action?: string }>;
  rule_snapshot?: ProtoRule | null;
  record_snapshot?: ProtoStruct | null;
  matched_field?: string;
  matched_value?: ProtoValue | null;
  matched_condition?: { values?: ProtoValue[] } | null;
  rule_snapshots?: ProtoRule[];
  // Set by the wire decoder, which builds JSON directly (wire-decoder.ts):
  payloadJson?: JsonObject;
  recordSnapshotJson?: JsonObject;
  matchedValueJson?: JsonValue;
  matchedConditionJson?: JsonValue[];
  /** Why this event could not be decoded (the others still count). */
  invalid?: string;
}

export interface DecodedRequest {
  events?: DecodedEvent[];
  sensor_id?: string;
  client_timestamp?: ProtoTimestamp;
  /** Why the request as a whole could not be decoded. */
  malformed?: string;
}

/** What the transport knows about how the request arrived. */
export interface Arrival {
  receivedAt: Instant;
  serverVersion: string;
  clientIp?: string | undefined;
  apiType?: string | undefined;
  apiVersion?: string | undefined;
  /** `tk serve --evaluate`: the station's ACTIVE rules, for events reported without a match of their own. */
  rules?: StationRule[] | undefined;
}

export type EventStatus = 'EVENT_STATUS_ACCEPTED' | 'EVENT_STATUS_REJECTED' | 'EVENT_STATUS_ERROR';

export interface EventResult {
  event_id: string;
  status: EventStatus;
  error_message: string;
}

export interface ReportResult {
  results: EventResult[];
  accepted_count: number;
  rejected_count: number;
}

/**
 * Where prepared events go: the store's append, seen structurally so that this
 * module (also run on worker threads) does not depend on the store.
 */
export interface EventSink {
  append(
    events: EncodedEvent[],
    origin: string | null,
  ): Promise<Array<{ status: 'stored' | 'duplicate' } | { status: 'rejected' | 'error'; reason: string }>>;
}

export class BatchLimitError extends Error {
  override name = 'BatchLimitError';
}

export class MalformedRequestError extends Error {
  override name = 'MalformedRequestError';
}

export const DEFAULT_BATCH_LIMIT = 1000;

function hasTimestamp(ts: ProtoTimestamp): ts is { seconds?: unknown; nanos?: unknown } {
  return ts !== null && ts !== undefined;
}

/** Turns one decoded event into a line, or says why not. */
export function prepareEvent(ev: DecodedEvent, req: DecodedRequest, arrival: Arrival): { encoded: EncodedEvent } | { reason: string } {
  if (ev.invalid !== undefined) return { reason: ev.invalid };
  let eventId: string;
  if (!ev.event_id) eventId = newUuid7();
  else {
    const problem = uuid7Problem(ev.event_id);
    if (problem) return { reason: `event_id ${problem}` };
    eventId = ev.event_id.toLowerCase();
  }
  try {
    let source: EventAudit['client_timestamp_source'];
    let clientTs: Instant;
    if (hasTimestamp(ev.client_timestamp)) {
      clientTs = Instant.fromProtobuf(ev.client_timestamp);
      source = 'event';
    } else if (hasTimestamp(req.client_timestamp)) {
      clientTs = Instant.fromProtobuf(req.client_timestamp);
      source = 'request';
    } else {
      clientTs = arrival.receivedAt;
      source = 'receipt';
    }
    // The wire decoder already held the payload to the depth, UTF-8 and finiteness rules.
    const payload = ev.payloadJson ?? structToJson(ev.payload);
    const payloadJson = encodePayload(payload, ev.payloadJson !== undefined);
    const receivedAt = arrival.receivedAt.toString();
    const clientText = clientTs.toString();
    const md = sanitizeIncomingMetadata(ev.metadata ?? {}, req.sensor_id || undefined, {
      apiType: arrival.apiType,
      apiVersion: arrival.apiVersion,
      clientIp: arrival.clientIp,
      clientTimestamp: clientText,
      serverReceivedAt: receivedAt,
      serverVersion: arrival.serverVersion,
    });
    const line: EventLine = {
      event_id: eventId,
      client_timestamp: clientText,
      server_received_at: receivedAt,
      payload,
      metadata: md.metadata,
    };
    const matched = (ev.matched_rules ?? []).filter((r) => r.rule_id);
    if (matched.length > 0) {
      line.matched_rules = matched.map((r): MatchedRule => {
        const action = r.action && !r.action.endsWith('_UNSPECIFIED') ? r.action.replace(/^ACTION_/, '').toLowerCase() : undefined;
        return action ? { rule_id: r.rule_id!, action } : { rule_id: r.rule_id! };
      });
    }
    const snapshots = (ev.rule_snapshots ?? []).map(ruleToSnapshot);
    if (ev.rule_snapshot) line.rule_snapshot = ruleToSnapshot(ev.rule_snapshot);
    else if (snapshots[0]) line.rule_snapshot = snapshots[0];
    if (snapshots.length > 1) line.rule_snapshots = snapshots;
    if (ev.recordSnapshotJson) line.record_snapshot = ev.recordSnapshotJson;
    else if (ev.record_snapshot) line.record_snapshot = structToJson(ev.record_snapshot);
    if (ev.matched_field) line.matched_field = ev.matched_field;
    if (ev.matchedValueJson !== undefined) line.matched_value = ev.matchedValueJson;
    else if (ev.matched_value) line.matched_value = valueToJson(ev.matched_value);
    if (ev.matchedConditionJson) line.matched_condition = ev.matchedConditionJson;
    else if (ev.matched_condition) line.matched_condition = (ev.matched_condition.values ?? []).map(valueToJson);
    // No evidence from the sensor: the station evaluates its own rules, when asked to.
    if (arrival.rules && !line.matched_rules && !line.rule_snapshot) evaluateAtStation(line, arrival.rules);
    const audit: EventAudit = { client_timestamp_source: source };
    if (md.stripped) audit.stripped_metadata = md.stripped;
    if (md.claimedSensorId !== undefined) audit.claimed_sensor_id = md.claimedSensorId;
    line.audit = audit;
    return { encoded: encodeEvent(line, payloadJson) };
  } catch (e) {
    if (e instanceof LineError || e instanceof MetadataError || e instanceof StructError) return { reason: e.message };
    if (e instanceof InstantError) return { reason: `client_timestamp: ${e.message}` };
    throw e;
  }
}

/**
 * The per-event work of a call, separable from storing: decode and prepare
 * can run on a worker thread (see core/parallel), which cannot hand out ids
 * from this thread's monotonic UUIDv7 sequence — so events without an id get
 * a placeholder there, and storePrepared() gives them real ids.
 */
export interface PreparedEvent {
  /** The client's event_id, for the result of a rejected event. */
  clientEventId: string;
  reason?: string;
  encoded?: EncodedEvent;
  needsId?: boolean;
}

export interface PreparedBatch {
  malformed?: string;
  events: PreparedEvent[];
}

export const PLACEHOLDER_ID = '00000000-0000-7000-8000-000000000000';
/** Where the id sits in a canonical line: after `{"event_id":"`. */
const ID_OFFSET = '{"event_id":"'.length;

export function prepareBatch(req: DecodedRequest, arrival: Arrival, assignIds: boolean): PreparedBatch {
  if (req.malformed !== undefined) return { malformed: req.malformed, events: [] };
  return {
    events: (req.events ?? []).map((ev): PreparedEvent => {
      const needsId = !ev.event_id && ev.invalid === undefined;
      const p = prepareEvent(needsId && !assignIds ? { ...ev, event_id: PLACEHOLDER_ID } : ev, req, arrival);
      if ('reason' in p) return { clientEventId: ev.event_id ?? '', reason: p.reason };
      return { clientEventId: ev.event_id ?? '', encoded: p.encoded, ...(needsId && !assignIds ? { needsId: true } : {}) };
    }),
  };
}

export async function reportEvents(
  store: EventSink,
  req: DecodedRequest,
  arrival: Arrival,
  batchLimit = DEFAULT_BATCH_LIMIT,
): Promise<ReportResult> {
  if ((req.events?.length ?? 0) > batchLimit) throw overLimit(req.events!.length, batchLimit);
  return storePrepared(store, prepareBatch(req, arrival, true), batchLimit);
}

function overLimit(n: number, limit: number): BatchLimitError {
  return new BatchLimitError(`batch of ${n} events exceeds the limit of ${limit} events per ReportEvents call`);
}

/** Stores the prepared events of one call in one append and answers per event, in request order. */
export async function storePrepared(store: EventSink, batch: PreparedBatch, batchLimit = DEFAULT_BATCH_LIMIT): Promise<ReportResult> {
  if (batch.malformed !== undefined) throw new MalformedRequestError(batch.malformed);
  if (batch.events.length > batchLimit) throw overLimit(batch.events.length, batchLimit);
  const results: EventResult[] = new Array(batch.events.length);
  const toStore: EncodedEvent[] = [];
  const positions: number[] = [];
  batch.events.forEach((p, i) => {
    if (!p.encoded) {
      results[i] = { event_id: p.clientEventId, status: 'EVENT_STATUS_REJECTED', error_message: p.reason ?? 'rejected' };
      return;
    }
    if (p.needsId) {
      const id = newUuid7();
      Buffer.from(p.encoded.line.buffer, p.encoded.line.byteOffset + ID_OFFSET, id.length).write(id, 'latin1');
      p.encoded.eventId = id;
    }
    toStore.push(p.encoded);
    positions.push(i);
  });
  if (toStore.length > 0) {
    let outcomes;
    try {
      outcomes = await store.append(toStore, 'grpc');
    } catch (e) {
      outcomes = toStore.map(() => ({ status: 'error' as const, reason: `storage failure: ${(e as Error).message}` }));
    }
    outcomes.forEach((o, k) => {
      const i = positions[k]!;
      const id = toStore[k]!.eventId;
      if (o.status === 'stored' || o.status === 'duplicate') results[i] = { event_id: id, status: 'EVENT_STATUS_ACCEPTED', error_message: '' };
      else if (o.status === 'rejected') results[i] = { event_id: id, status: 'EVENT_STATUS_REJECTED', error_message: o.reason };
      else if ('reason' in o) results[i] = { event_id: id, status: 'EVENT_STATUS_ERROR', error_message: o.reason };
    });
  }
  const accepted = results.filter((r) => r.status === 'EVENT_STATUS_ACCEPTED').length;
  return { results, accepted_count: accepted, rejected_count: results.length - accepted };
}
