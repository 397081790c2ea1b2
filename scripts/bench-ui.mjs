// UI benchmark (issue 5): Debian's Chromium driving the inspector against a
// real `tk serve` on the benchmark's data dir (1M events by default).
//   filter change → first rows shown     vs  the bare listEvents call for the same rows
//   jump to a point in time → rows shown vs  the bare listEvents call the jump makes
// Each UI figure is measured from the user's action to the row in the page;
// its baseline is the HTTP call for the same data, timed in the same run.
// Writes bench/results/ui-<time>.json and bench/results/ui-latest.json.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, rounds: { type: 'string', default: '15' } } });
if (!values['data-dir']) throw new Error('usage: bench-ui.mjs --data-dir DIR');
const ROUNDS = Number(values.rounds);
const log = (s) => process.stdout.write(s + '\n');
const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => performance.now();

const serve = spawn(process.execPath, [join(ROOT, 'bin/tk.js'), 'serve', '--data-dir', values['data-dir'], '--grpc', '127.0.0.1:0', '--http', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
let serveErr = '';
serve.stderr.on('data', (d) => (serveErr = (serveErr + d).slice(-20_000)));
process.on('exit', (code) => {
  if (code !== 0) process.stderr.write(`tk serve said:\n${serveErr}`);
});
const ui = await new Promise((resolve, reject) => {
  let out = '';
  serve.stdout.on('data', (d) => {
    out += d;
    const m = /^ui: (\S+)$/m.exec(out);
    if (m) resolve(m[1]);
  });
  serve.on('exit', (code) => reject(new Error(`tk serve exited with ${code}`)));
});
const url = new URL(ui);
const token = url.searchParams.get('token');
const base = `${url.protocol}//${url.host}`;
async function call(op, args) {
  const res = await fetch(`${base}/api/${op}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tk-token': token }, body: JSON.stringify(args) });
  const reply = await res.json();
  if (!reply.ok) throw new Error(`${op}: ${reply.error.message}`);
  return reply.result;
}
async function timed(fn) {
  const t = now();
  const r = await fn();
  return [now() - t, r];
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const firstRow = () => page.getByRole('grid', { name: 'Events' }).getByRole('row').nth(1);

/**
 * Time inside the page from the user's input event (change or pointerup, seen
 * in the capture phase) to the first animation frame in which `done` holds:
 * what a person waits, without the test driver's own round trips.
 */
async function inPage(act, done, arg) {
  await page.evaluate(() => {
    window.__tkStart = undefined;
    const mark = () => (window.__tkStart ??= performance.now());
    window.addEventListener('change', mark, { capture: true, once: true });
    window.addEventListener('pointerup', mark, { capture: true, once: true });
  });
  await act();
  return page.evaluate(
    ([src, a]) =>
      new Promise((resolve) => {
        const check = new Function('a', `return (${src})(a)`);
        const tick = () => (check(a) ? resolve(performance.now() - window.__tkStart) : requestAnimationFrame(tick));
        tick();
      }),
    [done.toString(), arg],
  );
}

const result = { at: new Date().toISOString(), filterChange: {}, jump: {}, timeline: {} };
try {
  let t = now();
  await page.goto(ui);
  await firstRow().getByRole('rowheader').waitFor();
  result.openMs = now() - t;
  const events = (await call('countEvents', {})).count;
  result.events = events;
  log(`UI benchmark on ${events.toLocaleString('en-US')} events: page open to first rows ${result.openMs.toFixed(0)} ms (Chromium loading the app included)`);

  // ---- filter change → first rows ----
  const sensors = (await call('facets', { limit: 50 })).sensors.map((s) => s.value);
  const uiMs = [];
  const apiMs = [];
  const sensorBox = page.getByRole('region', { name: 'Filters' }).getByRole('combobox', { name: 'Sensor', exact: true });
  for (let i = 0; i < ROUNDS; i++) {
    const sensor = sensors[i % sensors.length];
    const [api, page1] = await timed(() => call('listEvents', { sensor, limit: 100 }));
    apiMs.push(api);
    const want = page1.events[0].eventId;
    uiMs.push(await inPage(() => sensorBox.selectOption(sensor), (id) => document.querySelector('[role=grid] [role=rowgroup] [role=row][aria-rowindex="2"]')?.textContent?.includes(id) ?? false, want));
    // Let the station finish this filter's timeline before the next baseline call (it would queue behind it).
    await page.getByRole('toolbar', { name: 'Event list' }).getByRole('status').filter({ hasText: / events?$/ }).waitFor();
  }
  result.filterChange = { uiP50Ms: p50(uiMs), apiP50Ms: p50(apiMs), overheadMs: p50(uiMs) - p50(apiMs), rounds: ROUNDS, uiMs, apiMs };

  // ---- jump to a point in time → rows ----
  await sensorBox.selectOption('');
  const [timelineMs, timeline] = await timed(() => call('timeline', { buckets: 400 }));
  result.timeline = { ms: timelineMs, buckets: timeline.buckets.length, intervalSeconds: timeline.intervalSeconds };
  const chart = page.getByRole('img', { name: /drag to narrow/ });
  await chart.waitFor();
  const box = await chart.boundingBox();
  const jumpUi = [];
  const jumpApi = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Points spread across the middle of the range; each lands far from the last.
    const f = 0.3 + ((i * 0.37) % 0.4);
    const start = timeline.buckets[0].start;
    const end = timeline.buckets.at(-1).start + timeline.intervalSeconds;
    const snapped = start + Math.floor(((end - start) * f) / timeline.intervalSeconds) * timeline.intervalSeconds;
    // The call the jump makes (newest first): the page holding the first row of that bar, located as the UI does.
    const position = timeline.buckets.filter((b) => b.start > snapped).reduce((a, b) => a + b.count, 0);
    const pageStart = Math.floor(position / 100) * 100;
    let before = 0;
    let args = { offset: pageStart, limit: 100 };
    for (const b of [...timeline.buckets].reverse()) {
      if (pageStart < before + b.count) {
        if (before > 0) args = { until: new Date((b.start + timeline.intervalSeconds) * 1000).toISOString(), offset: pageStart - before, limit: 100 };
        break;
      }
      before += b.count;
    }
    const [api, rows] = await timed(() => call('listEvents', args));
    jumpApi.push(api);
    if (rows.events.length === 0) throw new Error('the jump baseline found no rows');
    jumpUi.push(
      await inPage(
        () => page.mouse.click(box.x + box.width * f, box.y + box.height / 2),
        () => {
          const r = document.querySelector('[role=grid] [role=row][aria-selected=true]');
          return r !== null && !r.querySelector('[aria-busy=true]') && /[0-9a-f]{8}-/.test(r.textContent ?? '');
        },
        null,
      ),
    );
  }
  result.jump = { uiP50Ms: p50(jumpUi), apiP50Ms: p50(jumpApi), overheadMs: p50(jumpUi) - p50(jumpApi), rounds: ROUNDS, uiMs: jumpUi, apiMs: jumpApi };
} finally {
  await browser.close();
  serve.kill('SIGTERM');
}

mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const stamp = result.at.replace(/[:.]/g, '-');
writeFileSync(join(ROOT, 'bench', 'results', `ui-${stamp}.json`), JSON.stringify(result, null, 2) + '\n');
writeFileSync(join(ROOT, 'bench', 'results', 'ui-latest.json'), JSON.stringify(result, null, 2) + '\n');
const f = (n) => n.toFixed(1);
log(`filter change → first rows  p50 ${f(result.filterChange.uiP50Ms)} ms | baseline listEvents call p50 ${f(result.filterChange.apiP50Ms)} ms | UI overhead ${f(result.filterChange.overheadMs)} ms   (target ≤ 150 ms, overhead ≤ 50 ms)`);
log(`jump to a time → rows       p50 ${f(result.jump.uiP50Ms)} ms | baseline listEvents call p50 ${f(result.jump.apiP50Ms)} ms | UI overhead ${f(result.jump.overheadMs)} ms   (target ≤ 150 ms, overhead ≤ 50 ms)`);
log(`timeline of the whole range ${f(result.timeline.ms)} ms (${result.timeline.buckets} bars of ${result.timeline.intervalSeconds} s; drawn after the first rows)`);
log(`written bench/results/ui-${stamp}.json`);
