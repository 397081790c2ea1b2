// Reads over the index and the day files: query pages, get by id, counts,
// histograms. Works in the owning process and in read-only processes alike.
import { DataDir } from './data-dir.js';
import { SegmentFiles } from './segment-files.js';
import { EventIndex, type EventFilter, type EventRow, type Facets, type IndexStats, type PageKey } from '../db/event-index.js';
import { Instant } from '../domain/instant.js';
import { parseWhere, payloadMatches } from '../rules/payload-filter.js';
import type { CompiledRule } from '../rules/compiled-rule.js';
import { parseOwnLine, type EventLine } from '../domain/event-line.js';
import type { JsonValue } from '../domain/json.js';

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 10_000;

export interface EventQuery extends EventFilter {
  /** Case-insensitive words, each of which must occur in a payload or metadata value. */
  text?: string | undefined;
  order?: 'asc' | 'desc' | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
  /** Events to skip before the page (after the cursor, if any): the UI's jumps into a time bucket. */
  offset?: number | undefined;
  /** A payload condition (core/rules/payload-filter.ts), e.g. `$.devices[*].temperature > 90`. */
  where?: string | undefined;
}

export interface ListedEvent {
  row: EventRow;
  /** The stored line, as in the file. */
  line: string;
}

export interface EventPage {
  events: ListedEvent[];
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  nextCursor: string | null;
}

export interface StoredEvent {
  row: EventRow;
  line: string;
  event: EventLine;
  markers: Array<{ marker_id: string; marked_at: string; reason: string }>;
}

export class QueryError extends Error {
  override name = 'QueryError';
}

interface CursorData {
  ts: string;
  seq: number;
  by: string;
  order: string;
}

export function encodeCursor(key: PageKey, by: string, order: string): string {
  return Buffer.from(JSON.stringify([key.ts, key.seq, by, order])).toString('base64url');
}

function decodeCursor(cursor: string, by: string, order: string): PageKey {
  let data: CursorData;
  try {
    const [ts, seq, cby, corder] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof ts !== 'string' || typeof seq !== 'number' || typeof cby !== 'string' || typeof corder !== 'string') throw new Error();
    data = { ts, seq, by: cby, order: corder };
  } catch {
    throw new QueryError('cursor is not one this station issued (copy it from "next-cursor:" exactly)');
  }
  if (data.by !== by || data.order !== order) {
    throw new QueryError(`cursor belongs to a query ordered by ${data.by} time ${data.order}; repeat that order to use it`);
  }
  return { ts: data.ts, seq: data.seq };
}

/** Lower-cased text of every payload and metadata value, for `--text`. */
function searchableText(event: EventLine): string {
  const parts: string[] = [];
  const stack: unknown[] = [event.payload];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') parts.push(v);
    else if (typeof v === 'number' || typeof v === 'boolean') parts.push(String(v));
    else if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === 'object') for (const k in v) stack.push((v as Record<string, JsonValue>)[k]);
  }
  for (const k in event.metadata) parts.push(event.metadata[k]!);
  return parts.join('\n').toLowerCase();
}

/**
 * What the index cannot answer and the bodies must: free text and a payload
 * condition. null when the query has neither.
 */
export function bodyMatcher(q: { text?: string | undefined; where?: string | undefined }): ((event: EventLine) => boolean) | null {
  const text = textMatcher(q.text);
  let where: CompiledRule | undefined;
  if (q.where !== undefined && q.where.trim() !== '') {
    try {
      where = parseWhere(q.where);
    } catch (e) {
      throw new QueryError(`where: ${(e as Error).message}`);
    }
  }
  if (!text && !where) return null;
  return (event) => (!text || text(event)) && (!where || payloadMatches(where, event.payload));
}

export function textMatcher(text: string | undefined): ((event: EventLine) => boolean) | null {
  const words = (text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  return (event) => {
    const hay = searchableText(event);
    return words.every((w) => hay.includes(w));
  };
}

export class StoreReader {
  readonly files: SegmentFiles;

  constructor(readonly dir: DataDir, readonly index: EventIndex) {
    this.files = new SegmentFiles(dir, index);
  }

  /** A reader for a data dir another process owns (read-only index). */
  static openReadOnly(root: string): StoreReader {
    const dir = new DataDir(root);
    return new StoreReader(dir, EventIndex.open(dir.indexPath, { readonly: true }));
  }

  close(): void {
    this.files.close();
    this.index.close();
  }

  lineOf(row: { segment_id: number; line_offset: number; line_length: number }): string {
    return this.files.readLine(row.segment_id, row.line_offset, row.line_length).toString('utf8');
  }

  get(eventId: string): StoredEvent | undefined {
    const row = this.index.lookup(eventId.toLowerCase());
    if (!row) return undefined;
    const line = this.lineOf(row);
    const parsed = parseOwnLine(line);
    if (parsed.kind !== 'event') throw new Error(`index points ${eventId} at a marker line; run tk verify`);
    return { row, line, event: parsed.event, markers: this.index.markersFor(row.event_id) };
  }

  query(q: EventQuery): EventPage {
    const by = q.by ?? 'received';
    const order = q.order ?? 'desc';
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
      throw new QueryError(`limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}, got ${limit}`);
    }
    let after = q.cursor ? decodeCursor(q.cursor, by, order) : undefined;
    const filter: EventFilter = { ...q, by };
    const keyOf = (r: EventRow): PageKey => ({ ts: by === 'client' ? r.client_ts : r.received_ts, seq: r.seq });
    const matches = bodyMatcher(q);

    const offset = q.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) throw new QueryError(`offset must be a whole number ≥ 0, got ${offset}`);
    if (!matches) {
      const rows = this.index.page(filter, order, limit + 1, after, offset);
      const more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      return {
        events: page.map((row) => ({ row, line: this.lineOf(row) })),
        nextCursor: more ? encodeCursor(keyOf(page.at(-1)!), by, order) : null,
      };
    }

    // Free text: walk candidates in order, reading bodies, until the page is full.
    const events: ListedEvent[] = [];
    let skip = offset;
    const chunk = Math.max(256, limit * 4);
    for (;;) {
      const rows = this.index.page(filter, order, chunk, after);
      for (const row of rows) {
        const line = this.lineOf(row);
        const parsed = parseOwnLine(line);
        if (parsed.kind === 'event' && matches(parsed.event)) {
          if (skip > 0) {
            skip--;
            continue;
          }
          events.push({ row, line });
          if (events.length === limit) return { events, nextCursor: encodeCursor(keyOf(row), by, order) };
        }
      }
      if (rows.length < chunk) return { events, nextCursor: null };
      after = keyOf(rows.at(-1)!);
    }
  }

  /** Every event matching a query, in order (export); text filtering included. */
  *all(q: Omit<EventQuery, 'limit' | 'cursor'>): Generator<ListedEvent> {
    let cursor: string | undefined;
    do {
      const page = this.query({ ...q, limit: 1000, cursor });
      yield* page.events;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  count(q: EventQuery): number {
    if (!bodyMatcher(q)) return this.index.count(q);
    let n = 0;
    for (const _ of this.all(q)) n++;
    return n;
  }

  histogram(q: EventFilter, intervalSeconds: number, originSeconds = 0): Array<[number, number]> {
    if (!Number.isInteger(intervalSeconds) || intervalSeconds < 1) {
      throw new QueryError(`interval must be a whole number of seconds ≥ 1, got ${intervalSeconds}`);
    }
    if (!bodyMatcher(q as EventQuery)) return this.index.histogram(q, intervalSeconds, originSeconds);
    // Free text is not indexed: bucket the matching events one by one.
    const counts = new Map<number, number>();
    const by = q.by ?? 'received';
    for (const e of this.all({ ...q, order: 'asc' })) {
      const d = Instant.parse(by === 'client' ? e.row.client_ts : e.row.received_ts).seconds - originSeconds;
      const start = originSeconds + (d - (((d % intervalSeconds) + intervalSeconds) % intervalSeconds));
      counts.set(start, (counts.get(start) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => a[0] - b[0]);
  }

  /** The first and last time of the events a filter matches (null when none), on the filter's time field. */
  range(q: EventQuery): { first: string; last: string } | null {
    if (!bodyMatcher(q)) return this.index.range(q);
    const newest = this.query({ ...q, order: 'desc', limit: 1, cursor: undefined, offset: 0 }).events[0];
    if (!newest) return null;
    const oldest = this.query({ ...q, order: 'asc', limit: 1, cursor: undefined, offset: 0 }).events[0]!;
    const at = (e: ListedEvent) => (q.by === 'client' ? e.row.client_ts : e.row.received_ts);
    return { first: at(oldest), last: at(newest) };
  }

  stats(): IndexStats {
    return this.index.stats();
  }

  facets(limit = 20): Facets {
    return this.index.facets(limit);
  }
}
