// The station's clock, kept apart from Instant so that Instant stays free of
// Node (the renderer compiles the app API contract, which uses Instant).
import { Instant } from './instant.js';

/** The station's clock: wall time at start-up plus a monotonic high-resolution
 *  offset, so receipt times carry real sub-millisecond digits and never go
 *  backwards within a process. */
export interface Clock {
  now(): Instant;
}

export const systemClock: Clock = (() => {
  const baseNs = BigInt(Date.now()) * 1_000_000n;
  const baseHr = process.hrtime.bigint();
  return { now: () => Instant.fromEpochNanos(baseNs + (process.hrtime.bigint() - baseHr)) };
})();
