// The contract's handlers over the station's store (reads through its reader).
import { existsSync, readdirSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ListedEvent } from '../store/store-reader.js';
import type { EventStore } from '../store/event-store.js';
import { parseOwnLine, type EventLine } from '../domain/event-line.js';
import type { Readable } from 'node:stream';
import { SKEW_FLAG_MS } from '../db/event-index.js';
import { CONTENT_TYPES, exportEvents } from '../export/event-export.js';
import { niceInterval } from './timeline.js';
import { verifyEvent } from '../rules/verify-event.js';
import { diffRuleIds, ruleVersions, snapshotOf, type RuleSources } from '../rules/rule-versions.js';
import { bodyMatcher, QueryError, type EventQuery, type StoreReader } from '../store/store-reader.js';
import { AggregateThread } from '../db/aggregates.js';
import type { JsonObject } from '../domain/json.js';
import type { DownloadHandlers, EventSummary, Handlers, ListenerStatus, Results } from './contract.js';

/** The listener as the API sees it (structural, so core/api does not depend on core/grpc). */
export interface ListenerView {
  status(): Omit<Extract<ListenerStatus, { running: true }>, 'running'>;
}

function summary(e: ListedEvent): EventSummary {
  const parsed = parseOwnLine(e.line);
  return {
    eventId: e.row.event_id,
    receivedAt: e.row.received_ts,
    clientTimestamp: e.row.client_ts,
    sensorId: e.row.sensor_id,
    ruleCount: e.row.rule_count,
    deleted: e.row.deleted === 1,
    event: parsed.kind === 'event' ? parsed.event : ({} as EventLine),
  };
}


function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** Where rule versions are found: the station's rule store and the events' snapshots. */
export function ruleSources(reader: StoreReader, stationRules: () => object[]): RuleSources {
  return {
    stationRules: () => stationRules() as JsonObject[],
    matchedRules: () => reader.index.matchedRules(),
    lineOfAnyEvent: (ruleId) => {
      const row = reader.index.anyEventOfRule(ruleId);
      return row && reader.lineOf(row);
    },
  };
}

/** How long facet counts are reused (they are hints for pickers, not figures). */
const FACET_CACHE_MS = 60_000;

/**
 * The contract over a store. `aggregates`: a thread for the queries that scan
 * many rows (tk serve and the desktop app pass one, so their event loop stays
 * free); without it they run here. Queries with free text or a payload
 * condition read event bodies and always run here.
 */
export function storeHandlers(store: EventStore, listener?: ListenerView, aggregates?: AggregateThread): Handlers {
  const reader = store.reader;
  const agg = aggregates ?? AggregateThread.inProcess(reader.index);
  const indexOnly = (q: EventQuery) => bodyMatcher(q) === null;
  let facetCache: { at: number; limit: number; value: Results['facets'] } | undefined;
  const dir = store.dir;
  return {
    listEvents: (q) => {
      const page = reader.query(q);
      return { events: page.events.map(summary), nextCursor: page.nextCursor };
    },
    getEvent: ({ eventId }) => {
      const found = reader.get(eventId);
      if (!found) return null;
      return { ...summary(found), line: found.line, origin: found.row.origin, markers: found.markers, verification: verifyEvent(found.event) };
    },
    countEvents: async (q) => ({ count: indexOnly(q) ? await agg.run('count', q) : reader.count(q) }),
    histogram: async (q) => ({
      buckets: (indexOnly(q) ? await agg.run('histogram', q, q.intervalSeconds, q.originSeconds) : reader.histogram(q, q.intervalSeconds, q.originSeconds))
        .map(([start, count]) => ({ start, count })),
    }),
    stats: async () => {
      const { rulesMatched: _rules, ...s } = await agg.run('stats');
      return s;
    },
    facets: async ({ limit }) => {
      // Picker hints, counted over the whole store (a second or two on millions of events): kept for a minute.
      const at = performance.now();
      if (facetCache && facetCache.limit === limit && at - facetCache.at < FACET_CACHE_MS) return facetCache.value;
      const f = await agg.run('facets', limit);
      const known = new Map(store.station.rules().map((r) => [r.rule_id, r.name]));
      const rules = f.rules.map((r) => {
        // A rule this station does not serve: its name from a snapshot of one of its events.
        const row = known.has(r.value) ? undefined : reader.index.anyEventOfRule(r.value);
        const snapName = snapshotOf(row && reader.lineOf(row), r.value)?.name;
        const name = known.get(r.value) ?? (typeof snapName === 'string' ? snapName : undefined);
        return name ? { ...r, name } : r;
      });
      const value = { ...f, rules };
      facetCache = { at: performance.now(), limit, value };
      return value;
    },
    diskFacts: () => {
      const fs = statfsSync(dir.root);
      const eventFileBytes = readdirSync(dir.eventsDir).reduce((a, f) => a + (f.startsWith('.') ? 0 : sizeOf(join(dir.eventsDir, f))), 0);
      const indexBytes = ['', '-wal', '-shm'].reduce((a, x) => a + sizeOf(dir.indexPath + x), 0);
      return { dataDir: dir.root, eventFileBytes, indexBytes, freeBytes: fs.bavail * fs.bsize };
    },
    deleteEvent: async ({ eventId, reason }) => {
      const m = await store.markDeleted(eventId.toLowerCase(), reason);
      return { marker_id: m.marker_id, event_id: m.event_id, marked_at: m.marked_at, reason: m.reason };
    },
    auditSummary: async (q) => {
      // The figures come from the index; free text and payload conditions need the event bodies.
      if (!indexOnly(q)) throw new QueryError('the audit summary takes the indexed filters only: remove the free-text and payload filters');
      return { ...(await agg.run('audit', q)), skewFlagMs: SKEW_FLAG_MS };
    },
    listenerStatus: () => (listener ? { running: true, ...listener.status() } : { running: false }),
    ruleVersions: () => ({ rules: ruleVersions(ruleSources(reader, () => store.station.rules())) }),
    ruleDiff: ({ from, to }) => diffRuleIds(ruleSources(reader, () => store.station.rules()), from, to),
    timeline: async ({ buckets, ...q }) => {
      const fast = indexOnly(q);
      const range = fast ? await agg.run('range', q) : reader.range(q);
      if (!range) return { total: 0, first: null, last: null, intervalSeconds: 1, buckets: [] };
      const intervalSeconds = niceInterval(range.first, range.last, buckets);
      const bars = (fast ? await agg.run('histogram', q, intervalSeconds, 0) : reader.histogram(q, intervalSeconds, 0)).map(([start, count]) => ({ start, count }));
      return { total: bars.reduce((a, b) => a + b.count, 0), ...range, intervalSeconds, buckets: bars };
    },
  };
}

export function storeDownloads(store: EventStore): DownloadHandlers<Readable> {
  return {
    exportEvents: ({ format, ...q }) => {
      // A name that says what is inside: the station's events, exported now.
      const stamp = store.now().toString().slice(0, 19).replace(/:/g, '');
      return { fileName: `trapperkeeper-events-${stamp}Z.${format}`, contentType: CONTENT_TYPES[format], body: exportEvents(store.reader, q, format).body };
    },
  };
}
