// One ReportEvents call's bytes → prepared events, as a self-contained task a
// worker thread can run (all inputs and outputs are plain, cloneable data).
import { Instant } from '../domain/instant.js';
import { packInto } from '../domain/line-fields.js';
import { decodeReportEventsRequest } from './wire-decoder.js';
import { prepareBatch, type Arrival, type PreparedBatch } from './report-events.js';
import { stationRules, type StationRule } from '../rules/station-evaluation.js';
import type { JsonObject } from '../domain/json.js';

export interface ArrivalFacts {
  receivedAt: { seconds: number; nanos: number };
  serverVersion: string;
  clientIp?: string | undefined;
  apiType?: string | undefined;
  apiVersion?: string | undefined;
  /** Rule snapshots to evaluate at the station (`tk serve --evaluate`); compiled where the call is prepared. */
  ruleSnapshots?: JsonObject[] | undefined;
}

export function arrivalFacts(a: Arrival, ruleSnapshots?: JsonObject[]): ArrivalFacts {
  const { rules: _compiled, ...plain } = a;
  return { ...plain, receivedAt: a.receivedAt.toProtobuf(), ...(ruleSnapshots ? { ruleSnapshots } : {}) };
}

/** Compiled rules by their snapshot list (the same list object arrives with every call of a station). */
let compiledFor: { key: string; rules: StationRule[] } | undefined;
function compiled(snapshots: JsonObject[]): StationRule[] {
  const key = JSON.stringify(snapshots);
  if (compiledFor?.key !== key) compiledFor = { key, rules: stationRules(snapshots) };
  return compiledFor.rules;
}

export function prepareCall(bytes: Uint8Array, facts: ArrivalFacts): PreparedBatch {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { ruleSnapshots, ...rest } = facts;
  const arrival: Arrival = {
    ...rest,
    receivedAt: Instant.of(facts.receivedAt.seconds, facts.receivedAt.nanos),
    ...(ruleSnapshots ? { rules: compiled(ruleSnapshots) } : {}),
  };
  const batch = prepareBatch(decodeReportEventsRequest(buf), arrival, false);
  const encoded = batch.events.map((e) => e.encoded ?? null);
  packInto(encoded, 'payloadSha256');
  packInto(encoded, 'line');
  return batch;
}
