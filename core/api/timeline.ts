// The event browser's timeline: a histogram of the current filter over its
// whole time range, in about `buckets` bars of a readable width (1 s … 30 d,
// aligned to UTC). Its cumulative counts also tell the browser where the n-th
// event of the filter is, so a scroll to the middle of a million events is a
// single query into one bar (see listEvents' offset).
import { Instant } from '../domain/instant.js';

const NICE_SECONDS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400,
];

/** The narrowest readable bar width that covers `first..last` in at most `buckets` bars. */
export function niceInterval(first: string, last: string, buckets: number): number {
  const span = Instant.parse(last).seconds - Instant.parse(first).seconds + 1;
  const want = Math.max(1, Math.ceil(span / buckets));
  return NICE_SECONDS.find((s) => s >= want) ?? Math.ceil(want / 86400) * 86400;
}
