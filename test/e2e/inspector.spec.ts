// The inspector in Debian's Chromium against a real `tk serve` on a seeded
// data dir (see seed.ts for the counts), found by role and name.
import { readFileSync } from 'node:fs';
import { newUuid7 } from '../../core/domain/identifier.js';
import { sensorClient, toStruct, unary } from '../helpers/grpc-client.js';
import { InspectorPage } from './inspector-page.js';
import { countWhere, RULE_ID, SEED_COUNT, seedEvents, SUSPICIOUS, type SeedEvent } from './seed.js';
import { expect, screenshot, seededStation, test, type SeededStation } from './station-fixture.js';

let station: SeededStation;
let seed: SeedEvent[];

test.beforeAll(async () => {
  seed = seedEvents();
  station = await seededStation(seed);
});
test.afterAll(async () => {
  expect(await station.stop()).toBe(0);
});

/** Opens the UI (token → cookie) at an address relative to the station. */
async function open(page: import('@playwright/test').Page, search = ''): Promise<InspectorPage> {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(station.ui! + (search ? '&' + search.replace(/^\?/, '') : ''));
  (page as unknown as { tkErrors: string[] }).tkErrors = errors;
  return new InspectorPage(page);
}
const errorsOf = (page: import('@playwright/test').Page) => (page as unknown as { tkErrors: string[] }).tkErrors;

test('browse: newest first, scroll to the oldest without loading everything, times in UTC on request', async ({ page }) => {
  const ui = await open(page);
  await ui.expectCount(SEED_COUNT);
  await page.getByRole('button', { name: /Local time/ }).click();
  await expect(page.getByRole('button', { name: 'Times in UTC' })).toHaveAttribute('aria-pressed', 'true');
  const first = ui.rows().first();
  await expect(first.getByRole('rowheader')).toHaveText('2026-12-03 11:45:00.000Z');
  await expect(first).toContainText(seed.at(-1)!.event_id);
  // Only a window of rows is in the page, not all 240.
  expect(await ui.rows().count()).toBeLessThan(SEED_COUNT);
  await ui.grid().focus();
  await page.keyboard.press('End');
  await expect(ui.grid().getByRole('row', { selected: true })).toContainText(seed[0]!.event_id);
  await expect(ui.grid().getByRole('row', { selected: true }).getByRole('rowheader')).toHaveText('2026-12-01 00:00:00.000Z');
  // The full nine digits on hover.
  await expect(ui.grid().getByRole('row', { selected: true }).locator('time')).toHaveAttribute('title', /2026-12-01T00:00:00\.000456789Z/);
  await page.keyboard.press('Home');
  await screenshot(page, 'event-browser');
  // Dark mode follows the OS.
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'event-browser-dark');
  expect(errorsOf(page)).toEqual([]);
});

test('filter by sensor, metadata and $tk pairs, kept in the address bar; back undoes a step', async ({ page }) => {
  const ui = await open(page);
  await ui.filters().getByRole('combobox', { name: 'Sensor', exact: true }).selectOption('pump-2');
  await ui.expectCount(countWhere((i) => i % 4 === 1));
  await expect(page).toHaveURL(/sensor=pump-2/);
  await ui.addPair('Metadata', 'team', 'reliability');
  await ui.expectCount(countWhere((i) => i % 4 === 1 && i % 3 === 0));
  await ui.addPair('$tk', '$tk.api_type', 'java');
  await ui.expectCount(countWhere((i) => i % 4 === 1 && i % 3 === 0));
  await expect(ui.filters().getByRole('list', { name: 'Metadata filters' }).getByRole('listitem')).toHaveCount(2);
  for (const row of await ui.rows().all()) await expect(row).toContainText('pump-2');
  await page.goBack();
  await ui.expectCount(countWhere((i) => i % 4 === 1 && i % 3 === 0));
  await expect(ui.filters().getByRole('list', { name: 'Metadata filters' }).getByRole('listitem')).toHaveCount(1);
  await page.goBack();
  await ui.expectCount(countWhere((i) => i % 4 === 1));
  await ui.filters().getByRole('button', { name: 'Clear filters' }).click();
  await ui.expectCount(SEED_COUNT);
});

test('filter by rule, picked by its name from the snapshots', async ({ page }) => {
  const ui = await open(page);
  const rules = countWhere((i) => i % 5 === 0);
  await ui.filters().getByRole('combobox', { name: 'Rule', exact: true }).selectOption({ label: `High temperature (${rules})` });
  await ui.expectCount(rules);
  await expect(page).toHaveURL(new RegExp(`rule=${RULE_ID}`));
  await expect(ui.rows().first()).toContainText('High temperature · alert');
});

test('filter by time: a custom range, and a drag across the timeline narrows it', async ({ page }) => {
  const ui = await open(page, 'since=2026-12-02T00:00:00Z&until=2026-12-02T12:00:00Z');
  // 12 hours of events every 15 minutes.
  await ui.expectCount(48);
  await expect(ui.filters().getByLabel('Time range')).toHaveValue('custom');
  await ui.filters().getByLabel('Time range').selectOption('all');
  await ui.expectCount(SEED_COUNT);
  const chart = page.getByRole('img', { name: /events from .* drag to narrow/ });
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(page).toHaveURL(/since=.*until=/);
  await expect(ui.count()).toHaveText(/^[\d,]+ events?$/);
  const n = Number((await ui.count().textContent())!.replace(/\D/g, ''));
  expect(n).toBeGreaterThan(30);
  expect(n).toBeLessThan(SEED_COUNT / 2);
  await screenshot(page, 'event-browser-time-filter');
});

test('event detail: rule snapshot as DNF, record snapshot in the payload, $tk metadata apart, spoof warning', async ({ page }) => {
  const spoofed = seed[185]!; // i = 185: every 5th (rule) and every 37th (spoof attempt)
  const ui = await open(page, `event=${spoofed.event_id}`);
  const d = ui.detail();
  await expect(d.getByRole('term').filter({ hasText: 'Event ID' }).locator('xpath=following-sibling::dd')).toHaveText(spoofed.event_id);
  const rule = d.getByRole('region', { name: 'Rule snapshot' });
  await expect(rule).toContainText('High temperature');
  // The condition's own item (inside its OR group's item).
  await expect(rule.getByRole('listitem').filter({ hasText: '$.reading.temperature > 80' }).last()).toContainText('$.reading.temperature > 80 · numeric · if missing: skip');
  await expect(rule).toContainText('$.reading.pressure < 9');
  await expect(rule).toContainText('$.devices[*].temperature ≥ 90');
  await expect(rule.getByText('either')).toBeVisible();
  await expect(rule).toContainText('alert');
  await expect(d.getByRole('region', { name: 'Matched rules' })).toContainText(RULE_ID);
  await expect(d.getByRole('tree', { name: 'Record snapshot' })).toContainText('85.5');
  const payload = d.getByRole('tree', { name: 'Payload' });
  await expect(payload.locator('.j-mark-matched')).toHaveText('temperature: 85.5');
  await expect(payload.locator('.j-mark-snapshot')).toHaveText('pressure: 4.5');
  await expect(d.getByRole('table', { name: 'System metadata' })).toContainText('$tk.api_type');
  await expect(d.getByRole('table', { name: 'User metadata' })).not.toContainText('$tk');
  await expect(d.getByRole('table', { name: 'User metadata' })).toContainText('field-ops');
  await expect(d.getByRole('alert').filter({ hasText: 'Spoof attempt' })).toContainText('6.6.6.6');
  await expect(d).toContainText('Skew (received − client)');
  // 22:14:59.950000123 → 22:15:00.000456789: nanoseconds kept in the arithmetic.
  await expect(d).toContainText('50.457 ms');
  await screenshot(page, 'event-detail');
  await page.keyboard.press('Escape');
  await expect(ui.detail()).toHaveCount(0);
  expect(errorsOf(page)).toEqual([]);
});

test('rule evidence: the suspicious event is found by filter and audit, and its detail shows the verdict and the clause trace', async ({ page }) => {
  const ui = await open(page, 'view=audit');
  const evidence = page.getByRole('table', { name: 'Rule evidence' });
  await expect(evidence.getByRole('row', { name: /Re-verified/ })).toContainText(String(countWhere((i) => i % 5 === 0) - 1));
  await evidence.getByRole('button', { name: '1 events whose evidence disagrees: show them' }).click();
  await ui.expectCount(1);
  await expect(page).toHaveURL(/evidence=disagrees/);
  await expect(ui.filters().getByRole('combobox', { name: 'Rule evidence' })).toHaveValue('disagrees');
  await ui.rows().first().click();
  const d = ui.detail();
  await expect(d.getByRole('region', { name: 'Evidence check' }).getByRole('status')).toHaveText('Disagrees: the recorded match does not hold');
  await expect(d.getByRole('list', { name: 'Reasons' })).toContainText('the record snapshot differs from the payload at $.reading.temperature');
  await expect(d).toContainText(seed[SUSPICIOUS]!.event_id);
  // The rule itself holds (group 1: temperature and pressure), so the trace says where.
  const rule = d.getByRole('region', { name: 'Rule snapshot' });
  await expect(rule).toContainText('this group holds');
  await expect(rule).toContainText('✓ holds at $.reading.temperature = 85.5');
  await expect(rule).toContainText('✗ does not hold at $.devices[1].temperature = 40');
  await screenshot(page, 'event-detail-evidence');

  // A consistent one, and a payload condition.
  await ui.filters().getByRole('combobox', { name: 'Rule evidence' }).selectOption('');
  await ui.filters().getByLabel('Payload condition').fill('$.devices[*].temperature >= 95');
  await ui.filters().getByRole('button', { name: 'Apply condition' }).click();
  // devices[0] is 57 + i % 40 (devices[1] is 40): ≥ 95 when i % 40 ≥ 38.
  await ui.expectCount(countWhere((i) => i % 40 >= 38));
  await expect(page).toHaveURL(/where=/);
  await page.goto(station.ui! + `&event=${seed[0]!.event_id}`);
  await expect(ui.detail().getByRole('region', { name: 'Evidence check' }).getByRole('status')).toHaveText('Re-verified: the rule matches this payload');
});

test('keyboard: arrows move, Enter opens, Esc closes', async ({ page }) => {
  const ui = await open(page);
  await expect(ui.rows().first()).toContainText(seed.at(-1)!.event_id);
  await ui.grid().focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(ui.detail()).toContainText(seed.at(-3)!.event_id);
  await expect(page).toHaveURL(new RegExp(`event=${seed.at(-3)!.event_id}`));
  await page.keyboard.press('Escape');
  await expect(ui.detail()).toHaveCount(0);
});

test('audit figures match the seeded data and click through to the events behind them', async ({ page }) => {
  const ui = await open(page, 'view=audit');
  const apiType = page.getByRole('table', { name: '$tk.api_type breakdown' });
  await expect(apiType.getByRole('row', { name: /java/ })).toContainText(String(countWhere((i) => i % 3 === 0)));
  await expect(apiType.getByRole('row', { name: /python/ })).toContainText(String(countWhere((i) => i % 3 !== 0)));
  const spoofs = countWhere((i) => i % 37 === 0);
  await expect(page.getByRole('region', { name: 'Spoof attempts' }).getByRole('button', { name: `${spoofs} events with spoof attempts: show them` })).toBeVisible();
  const skew = page.getByRole('table', { name: 'Clock skew per sensor' });
  const pump3 = skew.getByRole('row', { name: /pump-3/ });
  await expect(pump3.getByRole('cell').nth(5)).toHaveText(String(countWhere((i) => i % 4 === 2))); // every event ahead
  await expect(pump3).toHaveClass(/flagged/);
  const pump1 = skew.getByRole('row', { name: /pump-1/ });
  await expect(pump1.getByRole('cell').nth(4)).toHaveText(String(countWhere((i) => i % 4 === 0 && i % 10 === 0))); // late > 100 ms
  await expect(page.getByRole('table', { name: 'Client IPs per sensor' }).getByRole('row', { name: /tank-7/ })).toContainText('10.0.9.3');
  await screenshot(page, 'audit');
  await page.getByRole('button', { name: `${spoofs} events with spoof attempts: show them` }).click();
  await ui.expectCount(spoofs);
  await expect(page).toHaveURL(/spoofed=1/);
  await page.goBack();
  await page.getByRole('table', { name: 'Clock skew per sensor' }).getByRole('row', { name: /tank-7/ }).getByRole('button', { name: /events from tank-7/ }).click();
  await ui.expectCount(countWhere((i) => i % 4 === 3));
});

test('export the current filter as CSV: a download with one line per event', async ({ page }) => {
  const ui = await open(page, 'sensor=pump-3');
  const n = countWhere((i) => i % 4 === 2);
  await ui.expectCount(n);
  await page.getByRole('toolbar', { name: 'Event list' }).getByLabel('Export as').selectOption('csv');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download ${n} events` }).click()]);
  expect(download.suggestedFilename()).toMatch(/^trapperkeeper-events-.*\.csv$/);
  const rows = readFileSync((await download.path())!, 'utf8').trimEnd().split('\n');
  expect(rows).toHaveLength(n + 1);
  expect(rows.slice(1).every((r) => r.includes(',pump-3,'))).toBe(true);
});

test('the column chooser is remembered across visits, metadata keys included', async ({ page }) => {
  const ui = await open(page);
  await page.getByText('Columns', { exact: true }).click();
  await page.getByRole('group', { name: 'Columns shown' }).getByLabel('Payload').uncheck();
  await page.getByRole('group', { name: 'Columns shown' }).getByLabel('team').check();
  await expect(ui.grid().getByRole('columnheader', { name: 'Payload' })).toHaveCount(0);
  await expect(ui.grid().getByRole('columnheader', { name: 'team' })).toBeVisible();
  await page.reload();
  await expect(ui.grid().getByRole('columnheader', { name: 'team' })).toBeVisible();
  await expect(ui.grid().getByRole('columnheader', { name: 'Payload' })).toHaveCount(0);
  // The newest event (i = 239) belongs to field-ops.
  await expect(ui.rows().first()).toContainText('field-ops');
});

test('a bookmarked address restores the filter', async ({ page }) => {
  const ui = await open(page, 'sensor=tank-7&meta=team%3Dreliability&order=asc');
  await ui.expectCount(countWhere((i) => i % 4 === 3 && i % 3 === 0));
  await expect(ui.filters().getByRole('combobox', { name: 'Sensor', exact: true })).toHaveValue('tank-7');
  await expect(page.getByRole('toolbar', { name: 'Event list' }).getByLabel('Order')).toHaveValue('asc');
  await expect(ui.rows().first()).toContainText(seed[3]!.event_id);
});

test('live tail shows an event a sensor sends over gRPC; the listener view shows the sensor and a rejection', async ({ page }) => {
  const ui = await open(page);
  await ui.expectCount(SEED_COUNT);
  const client = sensorClient(station.grpc);
  const id = newUuid7();
  const res = await unary<{ accepted_count: number; rejected_count: number }>(client, 'ReportEvents', {
    events: [
      { event_id: id, payload: toStruct({ level: 99 }), metadata: { sensor_id: 'field-probe' } },
      { event_id: 'oops', payload: toStruct({}) },
    ],
  });
  client.close();
  expect(res).toMatchObject({ accepted_count: 1, rejected_count: 1 });
  await ui.expectCount(SEED_COUNT + 1);
  await expect(ui.rows().first()).toContainText(id);
  await expect(ui.rows().first()).toContainText('field-probe');
  await ui.view('Listener');
  await expect(page.getByRole('table', { name: 'Sensors seen' })).toContainText('field-probe');
  await expect(page.getByRole('table', { name: 'Recent rejections' })).toContainText('oops');
  await expect(page.getByRole('region', { name: 'Listener' })).toContainText(station.grpc);
  await screenshot(page, 'listener');
});

test('delete with a reason: the event leaves the list and shows its marker', async ({ page }) => {
  const victim = seed[100]!;
  const ui = await open(page);
  await expect(ui.count()).toHaveText(/^[\d,]+ events?$/);
  const before = Number((await ui.count().textContent())!.replace(/\D/g, ''));
  await page.getByRole('toolbar', { name: 'Event list' }).getByLabel('Go to event ID').fill(victim.event_id);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const d = ui.detail();
  await d.getByLabel('Reason for deleting').fill('duplicate reading from a test rig');
  await d.getByRole('button', { name: 'Delete event' }).click();
  await expect(d.getByRole('region', { name: 'Delete marker' })).toContainText('duplicate reading from a test rig');
  await ui.expectCount(before - 1);
  await screenshot(page, 'event-detail-deleted');
  await ui.filters().getByLabel('Show deleted').check();
  await ui.expectCount(before);
});
