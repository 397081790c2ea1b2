// One ReportEvents call's bytes → prepared events, as a self-contained task a
// worker thread can run (all inputs and outputs are plain, cloneable data).
import { Instant } from '../domain/instant.js';
import { packInto } from '../domain/line-fields.js';
import { decodeReportEventsRequest } from './wire-decoder.js';
import { prepareBatch, type Arrival, type PreparedBatch } from './report-events.js';

export interface ArrivalFacts {
  receivedAt: { seconds: number; nanos: number };
  serverVersion: string;
  clientIp?: string | undefined;
  apiType?: string | undefined;
  apiVersion?: string | undefined;
}

export function arrivalFacts(a: Arrival): ArrivalFacts {
  return { ...a, receivedAt: a.receivedAt.toProtobuf() };
}

export function prepareCall(bytes: Uint8Array, facts: ArrivalFacts): PreparedBatch {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const arrival: Arrival = { ...facts, receivedAt: Instant.of(facts.receivedAt.seconds, facts.receivedAt.nanos) };
  const batch = prepareBatch(decodeReportEventsRequest(buf), arrival, false);
  const encoded = batch.events.map((e) => e.encoded ?? null);
  packInto(encoded, 'payloadSha256');
  packInto(encoded, 'line');
  return batch;
}
