// Child process for the crash test: appends batches to a real store and prints
// the ids of each batch once the store has reported them stored. The parent
// kills it with SIGKILL at a random moment. Runs the built code in dist/.
import { EventStore } from '../../dist/core/store/event-store.js';
import { encodeEvent } from '../../dist/core/domain/event-line.js';
import { newUuid7 } from '../../dist/core/domain/identifier.js';

const [dir, batches] = process.argv.slice(2);
const store = await EventStore.open(dir, { rotationIntervalMs: 0 });
const days = ['2026-11-28', '2026-11-29', new Date().toISOString().slice(0, 10)];
for (let b = 0; b < Number(batches); b++) {
  const events = [];
  for (let i = 0; i < 500; i++) {
    const day = days[(b + i) % days.length];
    events.push(encodeEvent({
      event_id: newUuid7(),
      client_timestamp: `${day}T01:02:03.123456789Z`,
      server_received_at: `${day}T01:02:03.${String(i).padStart(9, '0')}Z`,
      payload: { b, i, text: 'x'.repeat(200) },
      metadata: { sensor_id: `s${i % 5}` },
    }));
  }
  const out = await store.append(events, 'crash-test');
  const stored = events.filter((_, k) => out[k].status === 'stored').map((e) => e.eventId);
  process.stdout.write(stored.join('\n') + '\n');
}
await store.close();
