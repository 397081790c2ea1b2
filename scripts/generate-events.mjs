#!/usr/bin/env node
// Deterministic generator of realistic stored event lines (for the benchmark
// and for test fixtures): 10 sensors, a dozen rules with snapshots, record
// snapshots on matching events, `$tk` metadata as a station writes it.
//   node scripts/generate-events.mjs --events 1000000 --seed 42 --days 10 --out events.jsonl
// Receipt times run evenly over the last --days days up to --end (default: now − 1 min).
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '42' },
    days: { type: 'string', default: '10' },
    end: { type: 'string' },
    out: { type: 'string' },
  },
});
const N = Number(values.events);
const DAYS = Number(values.days);
const endMs = values.end ? Date.parse(values.end) : Date.now() - 60_000;
const startMs = endMs - DAYS * 86_400_000;

// mulberry32: small, fast, deterministic.
let state = Number(values.seed) >>> 0;
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const hex = (n) => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
};
function uuid7(ms) {
  const t = ms.toString(16).padStart(12, '0');
  return `${t.slice(0, 8)}-${t.slice(8)}-7${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
}
function iso(ms, subMsNanos) {
  return new Date(ms).toISOString().slice(0, 19) + '.' + String((ms % 1000) * 1_000_000 + subMsNanos).padStart(9, '0') + 'Z';
}

const SENSORS = Array.from({ length: 10 }, (_, i) => `sensor-${String(i).padStart(2, '0')}`);
const SITES = ['north-field', 'south-field', 'pump-house', 'substation-7'];
const STATUSES = ['running', 'idle', 'degraded', 'maintenance'];
const RULES = Array.from({ length: 12 }, (_, i) => {
  const field = pick(['temperature', 'pressure', 'flow_rate', 'vibration[*]']);
  return {
    rule_id: uuid7(startMs - 30 * 86_400_000 + i * 3_600_000),
    name: `${pick(['High', 'Low', 'Erratic', 'Missing'])} ${field.replace('[*]', '')} ${i}`,
    action: pick(['observe', 'observe', 'drop', 'error']),
    conditions: [
      { or_group: 0, field_path: `$.reading.${field}`, operator: pick(['gt', 'lt', 'gte']), value: Math.round(rand() * 100), field_type: 'numeric', on_missing_field: 'skip' },
      ...(rand() < 0.5 ? [{ or_group: 0, field_path: '$.status', operator: 'eq', value: pick(STATUSES), field_type: 'text' }] : []),
    ],
    on_missing_field: 'skip',
    sample_rate: pick([1.0, 1.0, 0.5, 0.1]),
    created_at: new Date(startMs - 30 * 86_400_000 + i * 3_600_000).toISOString(),
  };
});

function compare(v, op, x) {
  return op === 'gt' ? v > x : op === 'lt' ? v < x : op === 'gte' ? v >= x : v === x;
}
/** The generator's rules are one AND group of `reading.<field> op number` (any element for arrays) and maybe `status eq`. */
function holds(rule, payload) {
  return rule.conditions.every((c) => {
    if (c.field_path === '$.status') return payload.status === c.value;
    const v = payload.reading[c.field_path.replace('$.reading.', '').replace('[*]', '')];
    return Array.isArray(v) ? v.some((e) => compare(e, c.operator, c.value)) : compare(v, c.operator, c.value);
  });
}

const out = values.out ? createWriteStream(values.out, { highWaterMark: 4 * 1024 * 1024 }) : process.stdout;
let buf = '';
for (let i = 0; i < N; i++) {
  const ms = Math.floor(startMs + ((endMs - startMs) * i) / N);
  const sub = Math.floor(rand() * 1_000_000);
  const received = iso(ms, sub);
  const clientMs = ms - Math.floor(rand() * 5000);
  const client = iso(clientMs, Math.floor(rand() * 1_000_000));
  const sensor = SENSORS[Math.floor(rand() * SENSORS.length)];
  const reading = {
    temperature: Math.round((40 + rand() * 70) * 10) / 10,
    pressure: Math.round(rand() * 500) / 100,
    flow_rate: Math.round(rand() * 300) / 10,
    vibration: [rand(), rand(), rand()].map((v) => Math.round(v * 1000) / 1000),
  };
  const payload = {
    device: { id: `dev-${sensor.slice(-2)}-${Math.floor(rand() * 4)}`, site: pick(SITES), firmware: pick(['2.4.1', '2.4.2', '3.0.0-rc1']) },
    reading,
    batch_id: `b-${Math.floor(rand() * 100000)}`,
    status: pick(STATUSES),
    tags: [pick(['line-1', 'line-2', 'line-3']), pick(['shift-a', 'shift-b', 'shift-c'])],
    notes: rand() < 0.1 ? pick(['valve stuck open', 'pump cavitation suspected', 'manual override by operator', 'sensor recalibrated']) : '',
  };
  const event = {
    event_id: uuid7(ms),
    client_timestamp: client,
    server_received_at: received,
    payload,
    metadata: {
      sensor_id: sensor,
      team: pick(['field-ops', 'reliability']),
      environment: 'production',
      '$tk.api_type': pick(['python', 'java', 'airflow']),
      '$tk.api_version': pick(['0.3.1', '0.3.2']),
      '$tk.client_ip': `10.0.${sensor.slice(-1)}.${10 + Math.floor(rand() * 20)}`,
      '$tk.client_timestamp': client,
      '$tk.server_received_at': received,
      '$tk.server_version': '0.1.0',
    },
  };
  if (rand() < 0.6) {
    // Only rules whose conditions hold for this payload: the station re-verifies every recorded match.
    const matched = RULES.filter((r) => holds(r, payload)).slice(0, 2);
    if (matched.length > 0) {
      const first = matched[0];
      const c = first.conditions[0];
      const field = c.field_path.replace('$.reading.', '').replace('[*]', '');
      const value = reading[field];
      const index = Array.isArray(value) ? value.findIndex((v) => compare(v, c.operator, c.value)) : -1;
      event.matched_rules = matched.map((r) => ({ rule_id: r.rule_id, action: r.action }));
      event.rule_snapshot = first;
      if (matched.length > 1) event.rule_snapshots = matched;
      event.record_snapshot = { reading: { [field]: value } };
      event.matched_field = index >= 0 ? c.field_path.replace('[*]', `[${index}]`) : c.field_path;
      event.matched_value = index >= 0 ? value[index] : value;
      event.matched_condition = ['any', 0, 'all', 0];
    }
  }
  buf += JSON.stringify(event) + '\n';
  if (buf.length > 1 << 20) {
    if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
    buf = '';
  }
}
out.write(buf);
if (out !== process.stdout) await new Promise((r) => out.end(r));
