#!/usr/bin/env node
// gRPC ingest benchmark (part of `npm run bench`): the same pre-encoded load,
// from a separate client process, against (a) a no-op grpc-js + proto-loader
// server and (b) `tk serve` (decode → durable → indexed), in the same run.
// Writes bench/results/grpc-<time>.json and grpc-latest.json.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { batches: { type: 'string', default: '120' } } });
const batches = values.batches;

function start(args) {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /grpc: (\S+)/.exec(out);
      if (m) resolve({ child, address: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}
async function stop(child) {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}
function load(address) {
  return JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bench/grpc-client.mjs'), address, '--batches', batches, '--batch', '1000', '--inflight', '4'], { encoding: 'utf8', maxBuffer: 1 << 26 }));
}
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

const work = mkdtempSync(join(tmpdir(), 'tk-bench-grpc-'));
try {
  const noop = await start([join(ROOT, 'bench/grpc-noop-server.mjs')]);
  const baseline = load(noop.address);
  await stop(noop.child);

  const timings = join(work, 'timings.json');
  const station = await start([join(ROOT, 'bin/tk.js'), 'serve', '--no-http', '--grpc', '127.0.0.1:0', '--data-dir', join(work, 'data'), '--timings', timings]);
  const ours = load(station.address);
  await stop(station.child);
  const callMs = JSON.parse(readFileSync(timings, 'utf8'));
  if (ours.accepted !== ours.events) throw new Error(`tk serve accepted ${ours.accepted} of ${ours.events}`);

  const result = {
    at: new Date().toISOString(),
    cores: cpus().length,
    batches: Number(batches),
    batchSize: 1000,
    inflight: 4,
    requestBytes: baseline.bytes,
    baseline: { what: 'no-op grpc-js + proto-loader server (decode, answer counts)', eventsPerSecond: baseline.eventsPerSecond },
    station: {
      what: 'tk serve: decode → fsync → SQLite index',
      eventsPerSecond: ours.eventsPerSecond,
      callMsP50: pct(callMs, 0.5),
      callMsP99: pct(callMs, 0.99),
      calls: callMs.length,
    },
    ratio: ours.eventsPerSecond / baseline.eventsPerSecond,
    target: 'ratio >= 2.0; station time per 1000-event call p99 <= 100 ms',
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const stamp = result.at.replace(/[:.]/g, '-');
  writeFileSync(join(ROOT, 'bench', 'results', `grpc-${stamp}.json`), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(ROOT, 'bench', 'results', 'grpc-latest.json'), JSON.stringify(result, null, 2) + '\n');
  const f = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  process.stdout.write(`\ngrpc     ${f(ours.eventsPerSecond)} events/s durable (tk serve) | baseline no-op proto-loader server ${f(baseline.eventsPerSecond)} events/s | ratio ${f(result.ratio, 2)}   (target ≥ 2.0)\n`);
  process.stdout.write(`         station time per 1000-event call: p50 ${f(result.station.callMsP50, 1)} ms, p99 ${f(result.station.callMsP99, 1)} ms over ${callMs.length} calls   (target p99 ≤ 100 ms)\n`);
  process.stdout.write(`written bench/results/grpc-${stamp}.json\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
