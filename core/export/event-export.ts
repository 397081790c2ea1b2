// Export of the events matching a filter (tk export, the UI's export button):
// JSON Lines as stored, gzip'd JSON Lines, or CSV for spreadsheets. Lines are
// produced page by page from the reader, so memory stays flat however many
// events match, and a slow consumer slows the reading (back-pressure).
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { EventQuery, ListedEvent, StoreReader } from '../store/store-reader.js';
import { parseOwnLine } from '../domain/event-line.js';

export type ExportFormat = 'jsonl' | 'jsonl.gz' | 'csv';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['jsonl', 'jsonl.gz', 'csv'];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  'jsonl.gz': 'application/gzip',
  csv: 'text/csv; charset=utf-8',
};

/** The format a file name asks for, by its extension; null if none fits. */
export function formatOfFileName(name: string): ExportFormat | null {
  return EXPORT_FORMATS.find((f) => name.endsWith('.' + f)) ?? null;
}

export interface EventExport {
  /** The export's bytes. */
  body: Readable;
  /** Events written so far (final once `body` has ended). */
  count(): number;
}

export function exportEvents(reader: StoreReader, q: Omit<EventQuery, 'limit' | 'cursor'>, format: ExportFormat): EventExport {
  let n = 0;
  const lines = function* () {
    if (format === 'csv') yield csvHeader() + '\n';
    for (const e of reader.all(q)) {
      n++;
      yield (format === 'csv' ? csvRow(e) : e.line) + '\n';
    }
  };
  const text = Readable.from(lines());
  return { body: format === 'jsonl.gz' ? text.pipe(createGzip()) : text, count: () => n };
}

const CSV_COLUMNS = ['event_id', 'server_received_at', 'client_timestamp', 'sensor_id', 'matched_rules', 'deleted', 'payload', 'metadata'];

export function csvHeader(): string {
  return CSV_COLUMNS.join(',');
}

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
}

export function csvRow(e: ListedEvent): string {
  const parsed = parseOwnLine(e.line);
  const ev = parsed.kind === 'event' ? parsed.event : undefined;
  return [
    e.row.event_id,
    e.row.received_ts,
    e.row.client_ts,
    e.row.sensor_id ?? '',
    (ev?.matched_rules ?? []).map((r) => r.rule_id).join(' '),
    e.row.deleted ? 'true' : 'false',
    JSON.stringify(ev?.payload ?? {}),
    JSON.stringify(ev?.metadata ?? {}),
  ]
    .map(csvCell)
    .join(',');
}
