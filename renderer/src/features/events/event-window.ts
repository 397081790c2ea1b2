// The event browser's data: the filter's timeline (how many events, when), and
// pages of 100 rows fetched only when they scroll into view. Any row position
// maps to one query through the timeline — the bar holding that position gives
// a time bound, the rest is an offset inside that bar — so scrolling to the
// middle of a million events costs one small query, not a walk through the
// 500,000 before it.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiCallError } from '../../api/client';
import type { Args, EventSummary, Results } from '../../../../core/api/contract';
import { isoOfSeconds } from '../../state/filter';

export const PAGE_SIZE = 100;

export type Timeline = Results['timeline'];

/** Where row `position` of the filter's events lies: a time bound and an offset from it. */
export function locate(
  t: Timeline,
  position: number,
  order: 'asc' | 'desc',
): { bound: { since: string } | { until: string } | Record<string, never>; offset: number } {
  const buckets = order === 'asc' ? t.buckets : [...t.buckets].reverse();
  let before = 0;
  for (const b of buckets) {
    if (position < before + b.count) {
      if (before === 0) return { bound: {}, offset: position };
      return order === 'asc'
        ? { bound: { since: isoOfSeconds(b.start) }, offset: position - before }
        : { bound: { until: isoOfSeconds(b.start + t.intervalSeconds) }, offset: position - before };
    }
    before += b.count;
  }
  return { bound: {}, offset: position };
}

/** A later `since`/earlier `until` of two, so a jump never widens the user's own range. */
function tighter(filter: Args<'countEvents'>, bound: { since?: string; until?: string }): Args<'countEvents'> {
  const out = { ...filter };
  if (bound.since && (!out.since || Date.parse(bound.since) > Date.parse(out.since))) out.since = bound.since;
  if (bound.until && (!out.until || Date.parse(bound.until) < Date.parse(out.until))) out.until = bound.until;
  return out;
}

export type WindowState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; timeline: Timeline };

export interface EventWindow {
  state: WindowState;
  /** The row at a position, or undefined while its page loads. */
  row(position: number): EventSummary | undefined;
  /** Asks for the pages covering positions first..last. */
  want(first: number, last: number): void;
  /** Position of the first row at or after (asc) / before (desc) a time, from the timeline. */
  positionOf(seconds: number): number;
  /** Start again (new events arrived, or one was deleted). */
  reload(): void;
  /** Bumped whenever a page arrives, so the table re-renders. */
  version: number;
  pageError: string | null;
}

export function useEventWindow(filter: Args<'countEvents'>, order: 'asc' | 'desc'): EventWindow {
  const [state, setState] = useState<WindowState>({ kind: 'loading' });
  const [version, setVersion] = useState(0);
  const [pageError, setPageError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const pages = useRef(new Map<number, EventSummary[] | 'loading'>());
  const key = JSON.stringify([filter, order]);
  const current = useRef({ key, generation });
  current.current = { key, generation };

  useEffect(() => {
    let live = true;
    pages.current = new Map();
    setPageError(null);
    setState((s) => (s.kind === 'ready' && generation > 0 ? s : { kind: 'loading' }));
    // The first page is asked for at once: the rows show before the timeline is counted.
    const first = api.call('listEvents', { ...filter, order, limit: PAGE_SIZE }).then((p) => {
      if (live) {
        pages.current.set(0, p.events);
        setVersion((v) => v + 1);
      }
    });
    api.call('timeline', { ...filter, buckets: 400 }).then(
      (timeline) => {
        if (live) setState({ kind: 'ready', timeline });
      },
      (e: unknown) => {
        if (live) setState({ kind: 'error', message: e instanceof ApiCallError ? e.message : String(e) });
      },
    );
    first.catch((e: unknown) => live && setState({ kind: 'error', message: e instanceof ApiCallError ? e.message : String(e) }));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` is the filter and order
  }, [key, generation]);

  const want = useCallback(
    (firstPos: number, lastPos: number) => {
      if (state.kind !== 'ready') return;
      const t = state.timeline;
      for (let page = Math.floor(firstPos / PAGE_SIZE); page <= Math.floor(lastPos / PAGE_SIZE); page++) {
        if (page * PAGE_SIZE >= t.total || pages.current.has(page)) continue;
        pages.current.set(page, 'loading');
        const asked = current.current;
        const { bound, offset } = locate(t, page * PAGE_SIZE, order);
        api.call('listEvents', { ...tighter(filter, bound), order, limit: PAGE_SIZE, offset }).then(
          (p) => {
            if (asked.key !== current.current.key || asked.generation !== current.current.generation) return;
            pages.current.set(page, p.events);
            setVersion((v) => v + 1);
          },
          (e: unknown) => {
            pages.current.delete(page);
            setPageError(e instanceof ApiCallError ? e.message : String(e));
          },
        );
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [state, key],
  );

  const row = useCallback((position: number) => {
    const p = pages.current.get(Math.floor(position / PAGE_SIZE));
    return p === undefined || p === 'loading' ? undefined : p[position % PAGE_SIZE];
  }, []);

  const positionOf = useCallback(
    (seconds: number) => {
      if (state.kind !== 'ready') return 0;
      const t = state.timeline;
      let n = 0;
      if (order === 'asc') {
        for (const b of t.buckets) if (b.start < seconds) n += b.count;
      } else {
        for (const b of t.buckets) if (b.start >= seconds) n += b.count;
      }
      return Math.min(n, Math.max(0, t.total - 1));
    },
    [state, order],
  );

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  return { state, row, want, positionOf, reload, version, pageError };
}
