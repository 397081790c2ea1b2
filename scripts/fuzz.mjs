#!/usr/bin/env node
// `npm run fuzz -- --seconds N`: random and mutated protobuf bytes against
// ReportEvents on a real `tk serve` (loopback, a temp data dir). Passes when
// the station kept answering (health checks between rounds), stayed alive and
// its memory stayed bounded. Not part of `npm test`; findings become tests.
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '30' }, seed: { type: 'string', default: String(Date.now() % 100000) } } });
const seconds = Number(values.seconds);
let seed = Number(values.seed);
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const int = (n) => Math.floor(rand() * n);

const root = new protobuf.Root();
root.resolvePath = (_o, t) => (t.startsWith('google/') ? t : join(ROOT, 'proto', t));
root.loadSync('trapperkeeper/sensor/v1/sensor_api.proto', { keepCase: true });
const Request = root.lookupType('trapperkeeper.sensor.v1.ReportEventsRequest');
const v = (x) => (typeof x === 'number' ? { numberValue: x } : typeof x === 'string' ? { stringValue: x } : Array.isArray(x) ? { listValue: { values: x.map(v) } } : { structValue: s(x) });
const s = (o) => ({ fields: Object.fromEntries(Object.entries(o).map(([k, x]) => [k, v(x)])) });
const seeds = Array.from({ length: 8 }, (_, i) =>
  Buffer.from(Request.encode(Request.fromObject({
    sensor_id: `fuzz-${i}`,
    client_timestamp: { seconds: 1764842400, nanos: i },
    events: Array.from({ length: 1 + i }, (_, k) => ({ payload: s({ a: k, b: 'text', c: [1, 'x', { d: [] }] }), metadata: { m: 'v' } })),
  })).finish()));

function mutate(buf) {
  const b = Buffer.from(buf);
  const kind = int(6);
  if (kind === 0) for (let i = 0; i < 1 + int(8); i++) b[int(b.length)] ^= 1 << int(8); // bit flips
  if (kind === 1) return b.subarray(0, int(b.length)); // truncation
  if (kind === 2) return Buffer.concat([b.subarray(0, int(b.length)), Buffer.from(Array.from({ length: 1 + int(32) }, () => int(256))), b]);
  if (kind === 3) for (let i = 0; i < 4; i++) b[int(b.length)] = [0xff, 0x7f, 0x80, 0x00][int(4)]; // length/varint damage
  if (kind === 4) return Buffer.from(Array.from({ length: int(512) }, () => int(256))); // pure noise
  if (kind === 5) return Buffer.concat([b, b.subarray(int(b.length))]); // duplicated tail
  return b;
}

const data = mkdtempSync(join(tmpdir(), 'tk-fuzz-'));
const child = spawn(process.execPath, [join(ROOT, 'bin/tk.js'), 'serve', '--no-http', '--grpc', '127.0.0.1:0', '--data-dir', data], { stdio: ['ignore', 'pipe', 'pipe'] });
let stderr = '';
child.stderr.on('data', (d) => (stderr += d));
const address = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    const m = /grpc: (\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  child.on('exit', (c) => reject(new Error(`tk serve exited (${c}): ${stderr}`)));
});
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) * 1024;
const client = new grpc.Client(address, grpc.credentials.createInsecure());
const send = (bytes) => new Promise((resolve) => {
  client.makeUnaryRequest('/trapperkeeper.sensor.v1.SensorAPI/ReportEvents', (x) => x, (x) => x, bytes, { deadline: Date.now() + 5000 },
    (err) => resolve(err ? grpc.status[err.code] : 'OK'));
});
const healthy = () => new Promise((resolve) => {
  client.makeUnaryRequest('/grpc.health.v1.Health/Check', (x) => x, (x) => x, Buffer.alloc(0), { deadline: Date.now() + 5000 }, (err) => resolve(!err));
});

const statuses = {};
let sent = 0;
const rssStart = rss();
let rssMax = rssStart;
const deadline = Date.now() + seconds * 1000;
let ok = true;
while (Date.now() < deadline) {
  const batch = Array.from({ length: 16 }, () => (rand() < 0.9 ? mutate(seeds[int(seeds.length)]) : mutate(mutate(seeds[int(seeds.length)]))));
  for (const st of await Promise.all(batch.map(send))) statuses[st] = (statuses[st] ?? 0) + 1;
  sent += batch.length;
  if (child.exitCode !== null || !(await healthy())) {
    ok = false;
    break;
  }
  rssMax = Math.max(rssMax, rss());
}
const rssEnd = child.exitCode === null ? rss() : 0;
client.close();
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
rmSync(data, { recursive: true, force: true });
const bounded = rssMax < rssStart + 256 * 1024 * 1024;
const mb = (n) => (n / 1024 / 1024).toFixed(0) + ' MB';
process.stdout.write(`fuzz seed ${values.seed}: ${sent} requests in ${seconds} s; answers ${JSON.stringify(statuses)}\n`);
process.stdout.write(`station ${ok ? 'kept serving' : 'STOPPED SERVING'}; RSS ${mb(rssStart)} → max ${mb(rssMax)} → ${mb(rssEnd)} (${bounded ? 'bounded' : 'GREW'})\n`);
if (!ok || !bounded) {
  process.stdout.write(stderr);
  process.exit(1);
}
