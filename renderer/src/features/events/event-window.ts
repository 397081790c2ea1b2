// The event browser's data: the filter's timeline (how many events, when), and
// pages of 100 rows fetched only when they scroll into view. Any row position
// maps to one query through the timeline — the bar holding that position gives
// a time bound, the rest is an offset inside that bar — so scrolling to the
// middle of a million events costs one small query, not a walk through the
// 500,000 before it.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiCallError } from '../../api/client';
import type { Args, EventSummary, Results } from '../../../../core/api/contract';
import { apiFilter, isoOfSeconds, onLocationChange } from '../../state/filter';

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

/**
 * `ready` once the first page is in: rows show at once. The timeline (counts
 * over the whole range, slower on millions of events) follows; until it does,
 * `timeline` is null and the table holds only the first page.
 */
type FirstPage = Promise<Results['listEvents']>;

/** First pages asked for as soon as the filter changed (see onLocationChange), by query key. */
const early = new Map<string, FirstPage>();
const keyOf = (filter: Args<'countEvents'>, order: 'asc' | 'desc') => JSON.stringify([filter, order]);
const firstPageCall = (filter: Args<'countEvents'>, order: 'asc' | 'desc'): FirstPage => api.call('listEvents', { ...filter, order, limit: PAGE_SIZE });

onLocationChange((next) => {
  // Presets depend on the clock, so their key would not match the one the list computes: they go the usual way.
  if (next.view !== 'events' || next.filter.preset) return;
  const filter = apiFilter(next.filter);
  early.clear();
  early.set(keyOf(filter, next.order), firstPageCall(filter, next.order));
});

export type WindowState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; firstPage: number; timeline: Timeline | null };

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
  const key = keyOf(filter, order);
  const current = useRef({ key, generation });
  const shownKey = useRef<string | null>(null);
  current.current = { key, generation };

  useEffect(() => {
    let live = true;
    pages.current = new Map();
    setPageError(null);
    // A new filter keeps the table in place (its rows turn to placeholders) until its first page comes;
    // a reload of the same filter keeps its rows and counts until the new ones come.
    if (shownKey.current !== key) setState((s) => (s.kind === 'ready' ? { ...s, timeline: null } : { kind: 'loading' }));
    shownKey.current = key;
    const fail = (e: unknown) => live && setState({ kind: 'error', message: e instanceof ApiCallError ? e.message : String(e) });
    // The first page is asked for at once: its rows show before the timeline is counted.
    const asked = (generation === 0 && early.get(key)) || firstPageCall(filter, order);
    early.delete(key);
    const counted = () =>
      api.call('timeline', { ...filter, buckets: 400 }).then((timeline) => {
        if (live) setState((s) => ({ kind: 'ready', firstPage: s.kind === 'ready' ? s.firstPage : 0, timeline }));
      }, fail);
    asked.then((p) => {
      if (!live) return;
      pages.current.set(0, p.events);
      setVersion((v) => v + 1);
      setState((s) => (s.kind === 'ready' && s.timeline ? { ...s, firstPage: p.events.length } : { kind: 'ready', firstPage: p.events.length, timeline: null }));
      // The counting (a scan of the filter's range at the station) starts once the rows are drawn, so it does not slow them.
      requestAnimationFrame(() => setTimeout(() => live && void counted(), 0));
    }, fail);
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` is the filter and order
  }, [key, generation]);

  const want = useCallback(
    (firstPos: number, lastPos: number) => {
      if (state.kind !== 'ready' || !state.timeline) return;
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
      if (state.kind !== 'ready' || !state.timeline) return 0;
      const t = state.timeline;
      let n = 0;
      // The first row of the bar holding `seconds`: past the older bars (asc) or the newer ones (desc).
      if (order === 'asc') {
        for (const b of t.buckets) if (b.start + t.intervalSeconds <= seconds) n += b.count;
      } else {
        for (const b of t.buckets) if (b.start > seconds) n += b.count;
      }
      return Math.min(n, Math.max(0, t.total - 1));
    },
    [state, order],
  );

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  return { state, row, want, positionOf, reload, version, pageError };
}
