// The load of the gRPC ingest benchmark, in its own process: upstream-format
// ReportEventsRequests (Struct payloads, 1000 events each) encoded before the
// timed phase, then sent as raw bytes with N calls in flight over loopback.
//   node bench/grpc-client.mjs ADDRESS --batches 60 --batch 1000 --inflight 4
// Prints one JSON line: events, seconds, events per second, accepted.
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { batches: { type: 'string', default: '60' }, batch: { type: 'string', default: '1000' }, inflight: { type: 'string', default: '4' } },
});
const address = positionals[0];
const batches = Number(values.batches);
const batchSize = Number(values.batch);
const inflight = Number(values.inflight);

const protoDir = fileURLToPath(new URL('../proto', import.meta.url));
const root = new protobuf.Root();
root.resolvePath = (_o, t) => (t.startsWith('google/') ? t : join(protoDir, t));
root.loadSync('trapperkeeper/sensor/v1/sensor_api.proto', { keepCase: true });
const Request = root.lookupType('trapperkeeper.sensor.v1.ReportEventsRequest');
const Response = root.lookupType('trapperkeeper.sensor.v1.ReportEventsResponse');

// UUIDv7 text from a millisecond time and random bits.
function uuid7(ms) {
  const t = ms.toString(16).padStart(12, '0');
  const r = randomBytes(10).toString('hex');
  return `${t.slice(0, 8)}-${t.slice(8)}-7${r.slice(0, 3)}-${'89ab'[r.charCodeAt(3) % 4]}${r.slice(4, 7)}-${r.slice(7, 19)}`;
}
const v = (x) =>
  x === null ? { nullValue: 0 } : typeof x === 'number' ? { numberValue: x } : typeof x === 'string' ? { stringValue: x }
    : typeof x === 'boolean' ? { boolValue: x } : Array.isArray(x) ? { listValue: { values: x.map(v) } } : { structValue: s(x) };
const s = (o) => ({ fields: Object.fromEntries(Object.entries(o).map(([k, x]) => [k, v(x)])) });

const SITES = ['north-field', 'south-field', 'pump-house', 'substation-7'];
const encoded = [];
const now = Date.now();
for (let b = 0; b < batches; b++) {
  const events = [];
  for (let i = 0; i < batchSize; i++) {
    const n = b * batchSize + i;
    events.push({
      event_id: uuid7(now - 60_000 + Math.floor(n / 100)),
      payload: s({
        device: { id: `dev-${n % 10}`, site: SITES[n % 4], firmware: '2.4.1' },
        reading: { temperature: 40 + (n % 70) + 0.5, pressure: (n % 500) / 100, flow_rate: (n % 300) / 10, vibration: [0.1, 0.2, 0.3] },
        batch_id: `b-${n}`,
        status: n % 7 === 0 ? 'degraded' : 'running',
        tags: ['line-2', 'shift-b'],
        notes: n % 10 === 0 ? 'valve stuck open' : '',
      }),
      metadata: { team: 'field-ops', environment: 'production' },
      client_timestamp: { seconds: Math.floor(now / 1000) - 60, nanos: n % 1_000_000_000 },
    });
  }
  encoded.push(Buffer.from(Request.encode(Request.fromObject({ events, sensor_id: `sensor-${b % 10}` })).finish()));
}

const client = new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
await new Promise((resolve, reject) => client.waitForReady(Date.now() + 10_000, (e) => (e ? reject(e) : resolve())));
const call = (bytes) =>
  new Promise((resolve, reject) => {
    client.makeUnaryRequest('/trapperkeeper.sensor.v1.SensorAPI/ReportEvents', (x) => x, (x) => Response.decode(x), bytes,
      (err, res) => (err ? reject(err) : resolve(res)));
  });

let next = 0;
let accepted = 0;
const started = process.hrtime.bigint();
await Promise.all(Array.from({ length: inflight }, async () => {
  while (next < encoded.length) {
    const res = await call(encoded[next++]);
    accepted += res.accepted_count;
  }
}));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const events = batches * batchSize;
process.stdout.write(JSON.stringify({ events, seconds, eventsPerSecond: events / seconds, accepted, bytes: encoded.reduce((a, b) => a + b.length, 0) }) + '\n');
client.close();
