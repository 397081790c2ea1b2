// Human-readable rendering of events for the terminal.
import type { ListedEvent } from '../store/store-reader.js';
import { parseOwnLine } from '../domain/event-line.js';

export function formatTable(events: ListedEvent[], width: number): string {
  if (events.length === 0) return '(no events)';
  const header = ['RECEIVED (UTC)', 'EVENT ID', 'SENSOR', 'RULES', 'PAYLOAD'];
  const rows = events.map((e) => {
    const parsed = parseOwnLine(e.line);
    const payload = parsed.kind === 'event' ? JSON.stringify(parsed.event.payload) : '';
    return [
      e.row.received_ts,
      e.row.event_id,
      e.row.sensor_id ?? '-',
      String(e.row.rule_count) + (e.row.deleted ? ' (deleted)' : ''),
      payload,
    ];
  });
  const widths = header.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fixed = widths.reduce((a, w) => a + w + 2, 0);
  const room = Math.max(20, width - fixed);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c.length > room ? c.slice(0, room - 1) + '…' : c))
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
