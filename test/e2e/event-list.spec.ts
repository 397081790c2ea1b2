// The minimal page of the contract/bridge issue: events listed through the one
// API client, refreshed live when a sensor reports over gRPC.
import { newUuid7 } from '../../core/domain/identifier.js';
import { sensorClient, toStruct, unary } from '../helpers/grpc-client.js';
import { expect, screenshot, seededStation, test, type SeededStation } from './station-fixture.js';

let station: SeededStation;
const ids: string[] = [];

test.beforeAll(async () => {
  station = await seededStation(
    Array.from({ length: 3 }, (_, i) => {
      const id = newUuid7();
      ids.push(id);
      return {
        event_id: id,
        client_timestamp: `2026-12-04T09:00:0${i}.000000000Z`,
        server_received_at: `2026-12-04T09:00:0${i}.250000000Z`,
        payload: { level: i },
        metadata: { sensor_id: `tank-${i}` },
      };
    }),
  );
});
test.afterAll(async () => {
  expect(await station.stop()).toBe(0);
});

test('lists the stored events, newest first, and adds one a sensor sends while the page is open', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(station.ui!);
  // The token went into a cookie and out of the address bar.
  await expect(page).toHaveURL(/\/$/);
  const table = page.getByRole('table', { name: 'Events' });
  await expect(table.getByRole('row')).toHaveCount(4);
  await expect(table.getByRole('rowheader').first()).toHaveText('2026-12-04T09:00:02.250000000Z');
  await expect(table.getByRole('row').nth(1)).toContainText(ids[2]!);
  await expect(table.getByRole('row').nth(1)).toContainText('tank-2');

  const client = sensorClient(station.grpc);
  const id = newUuid7();
  const res = await unary<{ accepted_count: number }>(client, 'ReportEvents', {
    events: [{ event_id: id, payload: toStruct({ level: 99 }), metadata: { sensor_id: 'tank-live' } }],
  });
  client.close();
  expect(res.accepted_count).toBe(1);
  await expect(table.getByRole('row')).toHaveCount(5);
  await expect(table.getByRole('row').nth(1)).toContainText(id);
  await expect(table.getByRole('row').nth(1)).toContainText('tank-live');
  await screenshot(page, 'event-list-minimal');
  // No CSP violations or failed requests on the way.
  expect(errors).toEqual([]);
});

test('a page without the token is told how to get in', async ({ browser }) => {
  const fresh = await browser.newContext();
  const page = await fresh.newPage();
  const res = await page.goto(new URL('/', station.ui!).toString());
  expect(res?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('open the ui: URL that tk serve printed');
  await fresh.close();
});
