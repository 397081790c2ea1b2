// Shared test helpers: a real store on a temp dir, a settable clock, event
// factories and a runner for the real `tk` binary.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { EventStore } from '../../core/store/event-store.js';
import { Instant } from '../../core/domain/instant.js';
import type { Clock } from '../../core/domain/system-clock.js';
import { newUuid7 } from '../../core/domain/identifier.js';
import { encodeEvent, type EncodedEvent, type EventLine } from '../../core/domain/event-line.js';

export { REPO, TK, runTk, type TkResult } from './tk-process.js';

const made: string[] = [];
afterEach(() => {
  while (made.length) rmSync(made.pop()!, { recursive: true, force: true });
});

/** A fresh temp folder, removed after the test. */
export function tempDir(prefix = 'tk-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** A fresh temp folder for a whole suite (call in beforeAll); removed after it. */
export function suiteDir(prefix = 'tk-suite-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

export class TestClock implements Clock {
  private current: Instant;
  constructor(start: string) {
    this.current = Instant.parse(start);
  }
  now(): Instant {
    return this.current;
  }
  set(text: string): void {
    this.current = Instant.parse(text);
  }
  advance(seconds: number): void {
    this.current = this.current.plusSeconds(seconds);
  }
}

/** Opens a real store (owner) on `dir` with a test clock and no rotation timer. */
export async function startStation(dir: string, clock: Clock = new TestClock('2026-12-04T12:00:00Z')): Promise<EventStore> {
  return EventStore.open(dir, { clock, rotationIntervalMs: 0 });
}

let counter = 0;

export function makeEvent(over: Partial<EventLine> = {}): EventLine {
  counter++;
  return {
    event_id: newUuid7(),
    client_timestamp: '2026-12-04T11:59:59.123456789Z',
    server_received_at: '2026-12-04T12:00:00.000000001Z',
    payload: { reading: counter, unit: 'C', note: `reading number ${counter}` },
    metadata: { sensor_id: 'temp-01', team: 'field', '$tk.api_type': 'python' },
    ...over,
  };
}

export function encoded(over: Partial<EventLine> = {}): EncodedEvent {
  return encodeEvent(makeEvent(over));
}

/** The line text of an encoded event. */
export function textOf(e: EncodedEvent): string {
  return Buffer.from(e.line).toString('utf8');
}
