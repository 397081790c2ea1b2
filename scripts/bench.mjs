#!/usr/bin/env node
// `npm run bench [-- --events N]`: the station core's speed, each figure next to
// a baseline measured in the same run on the same data (never a timed test).
// Writes bench/results/core-<time>.json and bench/results/core-latest.json.
//
//   import   durable `tk import` (fsync per batch of 1000)  vs  JSON.stringify of the same events
//   reindex  `tk reindex` from the day files                 vs  JSON.parse of every line
//   query    first page, one sensor of 10, one day, newest 100 (p50)  vs  jq selecting the same
//   get      get-by-id from a gzip day (p50)                 vs  the same from today's plain file
//   grpc     tk serve ingest, separate client process         vs  a no-op proto-loader server (scripts/bench-grpc.mjs)
//   ui       Chromium: filter change / jump → rows shown      vs  the bare API call for the same rows (scripts/bench-ui.mjs)
import { spawnSync, execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '42' },
    keep: { type: 'boolean', default: false },
    'grpc-batches': { type: 'string', default: '120' },
  },
});
const N = Number(values.events);
const work = join(ROOT, 'bench', 'data');
const dataFile = join(work, `events-${N}.jsonl`);
const dataDir = join(work, 'station');
const TK = join(ROOT, 'bin', 'tk.js');

const { StoreReader } = await import(join(ROOT, 'dist/core/store/store-reader.js'));

function seconds(start) {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
function p50(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function p99(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))];
}
function log(s) {
  process.stdout.write(s + '\n');
}
async function* lineChunks(path, linesPerChunk = 10000) {
  let carry = '';
  let lines = [];
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 4 << 20 })) {
    const parts = (carry + chunk).split('\n');
    carry = parts.pop();
    for (const p of parts) {
      if (p) lines.push(p);
      if (lines.length >= linesPerChunk) {
        yield lines;
        lines = [];
      }
    }
  }
  if (carry) lines.push(carry);
  if (lines.length) yield lines;
}

mkdirSync(work, { recursive: true });
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
rmSync(dataDir, { recursive: true, force: true });

log(`TrapperKeeper Desktop core benchmark: ${N} events, ${cpus().length} cores, node ${process.version}`);
let t = process.hrtime.bigint();
execFileSync(process.execPath, [join(ROOT, 'scripts/generate-events.mjs'), '--events', String(N), '--seed', values.seed, '--days', '10', '--out', dataFile]);
const bytes = statSync(dataFile).size;
log(`generated ${dataFile} (${(bytes / 1e6).toFixed(0)} MB) in ${seconds(t).toFixed(1)} s`);

// ---- import vs JSON.stringify ----
let stringifySeconds = 0;
for await (const lines of lineChunks(dataFile)) {
  const objs = lines.map((l) => JSON.parse(l));
  const s = process.hrtime.bigint();
  for (const o of objs) JSON.stringify(o);
  stringifySeconds += seconds(s);
}
t = process.hrtime.bigint();
const imp = spawnSync(process.execPath, [TK, 'import', '--json', '--data-dir', dataDir, dataFile], { encoding: 'utf8', maxBuffer: 1 << 28 });
const importSeconds = seconds(t);
if (imp.status !== 0) throw new Error(`tk import failed: ${imp.stderr}`);
const imported = JSON.parse(imp.stdout).imported;
if (imported !== N) throw new Error(`tk import stored ${imported} of ${N}`);

// ---- reindex vs JSON.parse scan ----
t = process.hrtime.bigint();
for await (const lines of lineChunks(dataFile)) for (const l of lines) JSON.parse(l);
const parseSeconds = seconds(t);
t = process.hrtime.bigint();
const re = spawnSync(process.execPath, [TK, 'reindex', '--data-dir', dataDir], { encoding: 'utf8' });
const reindexSeconds = seconds(t);
if (re.status !== 0) throw new Error(`tk reindex failed: ${re.stderr}`);

// ---- selective query first page vs jq ----
const reader = StoreReader.openReadOnly(dataDir);
const stats = reader.stats();
const fullDays = stats.days.slice(1, -1).map((d) => d.day); // whole days only
const sensors = stats.sensors.map((s) => s.sensor).sort();
const nextDay = (day) => new Date(Date.parse(day + 'T00:00:00Z') + 86400000).toISOString().slice(0, 10);
const queries = [];
for (let i = 0; i < 60; i++) {
  const day = fullDays[i % fullDays.length];
  queries.push({ sensor: sensors[i % sensors.length], since: `${day}T00:00:00.000000000Z`, until: `${nextDay(day)}T00:00:00.000000000Z`, limit: 100 });
}
for (const q of queries.slice(0, 5)) reader.query(q); // warm-up
const queryMs = queries.map((q) => {
  const s = process.hrtime.bigint();
  reader.query(q);
  return seconds(s) * 1000;
});
const probe = queries[7];
const files = readdirSync(join(dataDir, 'events')).filter((f) => /\.jsonl(\.gz)?$/.test(f)).sort().map((f) => join(dataDir, 'events', f));
const jqFilter = `select(.payload and .metadata.sensor_id == "${probe.sensor}" and .server_received_at >= "${probe.since}" and .server_received_at < "${probe.until}") | .event_id`;
const jqRuns = [];
let jqIds = [];
for (let i = 0; i < 2; i++) {
  const s = process.hrtime.bigint();
  const out = execFileSync('sh', ['-c', `zcat -f ${files.map((f) => `'${f}'`).join(' ')} | jq -r '${jqFilter}'`], { encoding: 'utf8', maxBuffer: 1 << 28 });
  jqRuns.push(seconds(s) * 1000);
  jqIds = out.trim().split('\n');
}
const ours = [...reader.all(probe)].map((e) => e.row.event_id);
const sameAnswer = ours.length === jqIds.length && [...ours].sort().join() === [...jqIds].sort().join();

// ---- get by id: gzip day vs today's file ----
const gzDay = fullDays[Math.floor(fullDays.length / 2)];
const today = stats.days.at(-1);
const sample = (day, n) => {
  const ids = reader.query({ since: `${day}T00:00:00Z`, until: `${nextDay(day)}T00:00:00Z`, limit: 10000, order: 'asc' }).events.map((e) => e.row.event_id);
  const out = [];
  for (let i = 0; i < n; i++) out.push(ids[Math.floor(((i * 7919) % ids.length))]);
  return out;
};
const timeGets = (ids) => {
  const r = StoreReader.openReadOnly(dataDir); // cold block cache
  const ms = ids.map((id) => {
    const s = process.hrtime.bigint();
    r.get(id);
    return seconds(s) * 1000;
  });
  r.close();
  return ms;
};
const gzGets = timeGets(sample(gzDay, 300));
const plainGets = timeGets(sample(today.day, 300));
reader.close();

// ---- rule evaluation vs JSON.parse of the same payloads (one core) ----
const { compileRule } = await import(join(ROOT, 'dist/core/rules/compiled-rule.js'));
const { evaluateRule } = await import(join(ROOT, 'dist/core/rules/evaluate.js'));
// Three conditions, one with a wildcard: (status == "degraded" AND temperature > 80) OR any vibration > 0.95.
const benchRule = compileRule({
  conditions: [
    { or_group: 0, field_path: '$.status', operator: 'eq', value: 'degraded', field_type: 'text' },
    { or_group: 0, field_path: '$.reading.temperature', operator: 'gt', value: 80, field_type: 'numeric' },
    { or_group: 1, field_path: '$.reading.vibration[*]', operator: 'gt', value: 0.95, field_type: 'numeric' },
  ],
});
let evalParseSeconds = 0;
let evalSeconds = 0;
let evalMatched = 0;
for await (const lines of lineChunks(dataFile)) {
  const texts = lines.map((l) => JSON.stringify(JSON.parse(l).payload));
  let s = process.hrtime.bigint();
  const payloads = texts.map((x) => JSON.parse(x));
  evalParseSeconds += seconds(s);
  s = process.hrtime.bigint();
  for (const p of payloads) if (evaluateRule(benchRule, p, false).matched) evalMatched++;
  evalSeconds += seconds(s);
}

const result = {
  at: new Date().toISOString(),
  events: N,
  bytes,
  cores: cpus().length,
  node: process.version,
  evaluate: {
    eventsPerSecond: N / evalSeconds,
    baselineEventsPerSecond: N / evalParseSeconds,
    ratio: evalParseSeconds / evalSeconds,
    matched: evalMatched,
  },
  import: {
    seconds: importSeconds,
    eventsPerSecond: N / importSeconds,
    baseline: 'JSON.stringify of the same events (in memory)',
    baselineEventsPerSecond: N / stringifySeconds,
    ratio: stringifySeconds / importSeconds,
    target: '>= 25000 events/s',
  },
  reindex: {
    seconds: reindexSeconds,
    eventsPerSecond: N / reindexSeconds,
    baseline: 'JSON.parse of every line of the same events (file read included)',
    baselineEventsPerSecond: N / parseSeconds,
    ratio: parseSeconds / reindexSeconds,
    target: 'ratio >= 0.6',
  },
  query: {
    description: 'first page: one sensor of 10, one-day window, newest 100',
    p50Ms: p50(queryMs),
    p99Ms: p99(queryMs),
    baseline: 'jq selecting the same events over the same files (zcat -f | jq)',
    baselineMs: p50(jqRuns),
    ratio: p50(jqRuns) / p50(queryMs),
    sameAnswerAsJq: sameAnswer,
    target: 'p50 <= 20 ms, ratio >= 1000',
  },
  get: {
    gzipDay: gzDay,
    gzipP50Ms: p50(gzGets),
    gzipP99Ms: p99(gzGets),
    baseline: "the same get from today's plain file",
    plainP50Ms: p50(plainGets),
    ratio: p50(gzGets) / p50(plainGets),
    target: 'gzip p50 <= 10 ms',
  },
  disk: {
    rawBytes: stats.days.reduce((a, d) => a + d.raw_size, 0),
    fileBytes: stats.days.reduce((a, d) => a + d.file_size, 0),
    indexBytes: statSync(join(dataDir, 'trapperkeeper.db')).size,
  },
};
const stamp = result.at.replace(/[:.]/g, '-');
writeFileSync(join(ROOT, 'bench', 'results', `core-${stamp}.json`), JSON.stringify(result, null, 2) + '\n');
writeFileSync(join(ROOT, 'bench', 'results', 'core-latest.json'), JSON.stringify(result, null, 2) + '\n');

const f = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
log('');
log(`import   ${f(result.import.eventsPerSecond)} events/s durable   | baseline JSON.stringify ${f(result.import.baselineEventsPerSecond)} events/s | ratio ${f(result.import.ratio, 3)}   (target ≥ 25,000/s)`);
log(`reindex  ${f(result.reindex.eventsPerSecond)} events/s           | baseline JSON.parse scan ${f(result.reindex.baselineEventsPerSecond)} events/s | ratio ${f(result.reindex.ratio, 2)}   (target ≥ 0.6)`);
log(`query    p50 ${f(result.query.p50Ms, 2)} ms, p99 ${f(result.query.p99Ms, 2)} ms | baseline jq ${f(result.query.baselineMs)} ms | ${f(result.query.ratio)}× faster, same answer: ${sameAnswer}   (target p50 ≤ 20 ms, ≥ 1000×)`);
log(`get      gzip day p50 ${f(result.get.gzipP50Ms, 3)} ms (p99 ${f(result.get.gzipP99Ms, 3)}) | baseline plain file p50 ${f(result.get.plainP50Ms, 3)} ms | ratio ${f(result.get.ratio, 1)}   (target ≤ 10 ms)`);
log(`evaluate ${f(result.evaluate.eventsPerSecond)} payloads/s, 3-condition rule with a wildcard, one core | baseline JSON.parse of the same payloads ${f(result.evaluate.baselineEventsPerSecond)}/s | ratio ${f(result.evaluate.ratio, 2)}   (target ≥ 100,000/s and ≥ 2×)`);
log(`disk     ${f(result.disk.rawBytes / 1e6)} MB of lines in ${f(result.disk.fileBytes / 1e6)} MB of files; index ${f(result.disk.indexBytes / 1e6)} MB`);
log(`\nwritten bench/results/core-${stamp}.json`);
// The inspector in Chromium on the same station (scripts/bench-ui.mjs).
execFileSync(process.execPath, [join(ROOT, 'scripts/bench-ui.mjs'), '--data-dir', dataDir], { stdio: 'inherit' });
if (!values.keep) rmSync(work, { recursive: true, force: true });

// gRPC ingest, in its own processes (scripts/bench-grpc.mjs).
execFileSync(process.execPath, [join(ROOT, 'scripts/bench-grpc.mjs'), '--batches', values['grpc-batches']], { stdio: 'inherit' });
