// What the user is looking at — view, filter, order, open event — kept in the
// address bar so that a bookmark or a shared link restores it and the back
// button steps through filter changes. One small zustand store mirrors it.
import { create } from 'zustand';
import type { Args } from '../../../core/api/contract';

export type View = 'events' | 'audit' | 'listener';

/** Time ranges relative to now; they stay relative in a bookmark. */
export const PRESETS = { '15m': 15 * 60, '1h': 3600, '24h': 86400, '7d': 7 * 86400, '30d': 30 * 86400 } as const;
export type Preset = keyof typeof PRESETS;

export interface Filter {
  preset?: Preset | undefined;
  since?: string | undefined;
  until?: string | undefined;
  by: 'received' | 'client';
  sensor?: string | undefined;
  rule?: string | undefined;
  meta: Array<[string, string]>;
  text?: string | undefined;
  includeDeleted: boolean;
  spoofed: boolean;
  /** A payload condition, e.g. `$.devices[*].temperature > 90`. */
  where?: string | undefined;
  verification?: 'agrees' | 'disagrees' | 'not_verifiable' | undefined;
}

export interface Location {
  view: View;
  filter: Filter;
  order: 'asc' | 'desc';
  /** The event open in the detail panel. */
  event?: string | undefined;
}

export const EMPTY_FILTER: Filter = { by: 'received', meta: [], includeDeleted: false, spoofed: false };

export function parseLocation(search: string): Location {
  const p = new URLSearchParams(search);
  const view = p.get('view');
  const preset = p.get('range');
  const meta: Array<[string, string]> = [];
  for (const m of p.getAll('meta')) {
    const i = m.indexOf('=');
    if (i > 0) meta.push([m.slice(0, i), m.slice(i + 1)]);
  }
  return {
    view: view === 'audit' || view === 'listener' ? view : 'events',
    order: p.get('order') === 'asc' ? 'asc' : 'desc',
    event: p.get('event') ?? undefined,
    filter: {
      preset: preset && preset in PRESETS ? (preset as Preset) : undefined,
      since: p.get('since') ?? undefined,
      until: p.get('until') ?? undefined,
      by: p.get('by') === 'client' ? 'client' : 'received',
      sensor: p.get('sensor') ?? undefined,
      rule: p.get('rule') ?? undefined,
      meta,
      text: p.get('text') ?? undefined,
      includeDeleted: p.get('deleted') === '1',
      spoofed: p.get('spoofed') === '1',
      where: p.get('where') ?? undefined,
      verification: ((v) => (v === 'agrees' || v === 'disagrees' || v === 'not_verifiable' ? v : undefined))(p.get('evidence')),
    },
  };
}

export function formatLocation(l: Location): string {
  const p = new URLSearchParams();
  if (l.view !== 'events') p.set('view', l.view);
  const f = l.filter;
  if (f.preset) p.set('range', f.preset);
  else {
    if (f.since) p.set('since', f.since);
    if (f.until) p.set('until', f.until);
  }
  if (f.by === 'client') p.set('by', 'client');
  if (f.sensor) p.set('sensor', f.sensor);
  if (f.rule) p.set('rule', f.rule);
  for (const [k, v] of f.meta) p.append('meta', `${k}=${v}`);
  if (f.text) p.set('text', f.text);
  if (f.includeDeleted) p.set('deleted', '1');
  if (f.spoofed) p.set('spoofed', '1');
  if (f.where) p.set('where', f.where);
  if (f.verification) p.set('evidence', f.verification);
  if (l.order === 'asc') p.set('order', 'asc');
  if (l.event) p.set('event', l.event);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Seconds → RFC 3339 text the station accepts. */
export function isoOfSeconds(s: number): string {
  return new Date(s * 1000).toISOString();
}

/** The filter as the API takes it; a preset becomes a `since` relative to `nowMs`. */
export function apiFilter(f: Filter, nowMs = Date.now()): Args<'countEvents'> {
  const since = f.preset ? new Date(nowMs - PRESETS[f.preset] * 1000).toISOString() : f.since;
  return {
    ...(since ? { since } : {}),
    ...(f.until && !f.preset ? { until: f.until } : {}),
    by: f.by,
    ...(f.sensor ? { sensor: f.sensor } : {}),
    ...(f.rule ? { rule: f.rule } : {}),
    meta: f.meta,
    ...(f.text?.trim() ? { text: f.text.trim() } : {}),
    includeDeleted: f.includeDeleted,
    ...(f.spoofed ? { spoofed: true } : {}),
    ...(f.where?.trim() ? { where: f.where.trim() } : {}),
    ...(f.verification ? { verification: f.verification } : {}),
  };
}

const beforeChange = new Set<(next: Location) => void>();

/** Calls `fn` with each new location as it is set, before any component re-renders. */
export function onLocationChange(fn: (next: Location) => void): () => void {
  beforeChange.add(fn);
  return () => beforeChange.delete(fn);
}

interface LocationStore extends Location {
  /** Changes the location and records it in the history (the back button undoes it). */
  go(change: Partial<Location>, opts?: { replace?: boolean }): void;
  setFilter(patch: Partial<Filter>): void;
}

export const useLocation = create<LocationStore>((set, get) => ({
  ...parseLocation(window.location.search),
  go: (change, opts) => {
    const { view, filter, order, event } = { ...get(), ...change };
    const next: Location = { view, filter, order, event };
    // Before React re-renders: lets the event list ask the station for its rows right away.
    for (const fn of beforeChange) fn(next);
    const url = formatLocation(next) || window.location.pathname;
    if (opts?.replace) window.history.replaceState(null, '', url);
    else window.history.pushState(null, '', url);
    set(next);
  },
  setFilter: (patch) => get().go({ filter: { ...get().filter, ...patch }, event: undefined }),
}));

window.addEventListener('popstate', () => useLocation.setState(parseLocation(window.location.search)));
