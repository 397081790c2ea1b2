// The event browser's grid: one row per event of the filter, however many,
// drawn only where the user is looking (virtualized) and filled page by page
// from the station. Keyboard: ↑/↓ (PgUp/PgDn, Home/End) move, Enter opens.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import type { EventSummary } from '../../../../core/api/contract';
import { Time } from '../../ui/Time';
import { usePrefs, type ColumnId } from '../../state/prefs';
import type { EventWindow } from './event-window';

const ROW_HEIGHT = 30;

interface ColumnMeta {
  render(e: EventSummary): ReactNode;
  width: string;
}

const col = createColumnHelper<EventSummary>();

function ruleLabel(e: EventSummary): string {
  const first = e.event.matched_rules?.[0];
  if (!first) return '';
  const snap = e.event.rule_snapshot as { name?: unknown } | undefined;
  const name = typeof snap?.name === 'string' ? snap.name : first.rule_id;
  return first.action ? `${name} · ${first.action}` : name;
}

function payloadPreview(e: EventSummary): string {
  const text = JSON.stringify(e.event.payload ?? {});
  return text.length > 160 ? text.slice(0, 160) + '…' : text;
}

function useColumns(metaKeys: string[], by: 'received' | 'client'): Array<ColumnDef<EventSummary, unknown>> {
  return useMemo(() => {
    const fixed: Array<[ColumnId, string, ColumnMeta]> = [
      by === 'client'
        ? ['time', 'Client time', { render: (e) => <Time value={e.clientTimestamp} />, width: '15.5rem' }]
        : ['time', 'Received', { render: (e) => <Time value={e.receivedAt} />, width: '15.5rem' }],
      ['sensor', 'Sensor', { render: (e) => e.sensorId ?? '—', width: '9rem' }],
      ['eventId', 'Event ID', { render: (e) => <span className="mono">{e.eventId}</span>, width: '23rem' }],
      ['rule', 'Rule · action', { render: ruleLabel, width: '14rem' }],
      ['rules', 'Rules', { render: (e) => (e.ruleCount ? String(e.ruleCount) : ''), width: '4.5rem' }],
      ['payload', 'Payload', { render: (e) => <span className="mono muted">{payloadPreview(e)}</span>, width: 'minmax(12rem, 1fr)' }],
    ];
    const columns = fixed.map(([id, header, meta]) => col.display({ id, header, meta }));
    for (const key of metaKeys) {
      columns.push(col.display({ id: `meta:${key}`, header: key, meta: { render: (e: EventSummary) => e.event.metadata?.[key] ?? '', width: '9rem' } satisfies ColumnMeta }));
    }
    return columns as Array<ColumnDef<EventSummary, unknown>>;
  }, [metaKeys, by]);
}

interface Props {
  window: EventWindow;
  /** Which time the Time column shows (the one the filter orders by). */
  by: 'received' | 'client';
  total: number;
  selected: number;
  onSelect(position: number): void;
  onOpen(eventId: string): void;
  /** A position to bring into view (a jump from the timeline or "go to"). */
  scrollTo: { position: number; nonce: number } | null;
}

export function EventTable({ window: w, by, total, selected, onSelect, onOpen, scrollTo }: Props) {
  const { columns: visible, metaColumns } = usePrefs();
  const columns = useColumns(metaColumns, by);
  const table = useReactTable({
    data: [],
    columns,
    getCoreRowModel: getCoreRowModel(),
    state: { columnVisibility: Object.fromEntries(columns.map((c) => [c.id!, c.id!.startsWith('meta:') || visible.includes(c.id as ColumnId)])) },
  });
  const leafs = table.getVisibleLeafColumns();
  const template = leafs.map((c) => (c.columnDef.meta as ColumnMeta).width).join(' ');
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    // Rows in the very first render, before the scroll box has been measured.
    initialRect: { width: 1200, height: 600 },
  });
  const items = virtual.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;

  useEffect(() => {
    if (total > 0) w.want(first, last);
  }, [first, last, total, w]);

  useEffect(() => {
    if (scrollTo) virtual.scrollToIndex(scrollTo.position, { align: 'start' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scrollTo?.nonce]);

  const [focused, setFocused] = useState(false);
  const move = (to: number) => {
    const p = Math.max(0, Math.min(total - 1, to));
    onSelect(p);
    virtual.scrollToIndex(p, { align: 'auto' });
  };
  const onKey = (e: KeyboardEvent) => {
    const page = Math.max(1, items.length - 4);
    const go: Record<string, () => void> = {
      ArrowDown: () => move(selected + 1),
      ArrowUp: () => move(selected - 1),
      PageDown: () => move(selected + page),
      PageUp: () => move(selected - page),
      Home: () => move(0),
      End: () => move(total - 1),
      Enter: () => {
        const r = w.row(selected);
        if (r) onOpen(r.eventId);
      },
    };
    const action = go[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  };

  return (
    <div
      className="grid"
      role="grid"
      aria-label="Events"
      aria-rowcount={total + 1}
      aria-colcount={leafs.length}
      aria-activedescendant={focused && total > 0 ? `row-${selected}` : undefined}
      tabIndex={0}
      onKeyDown={onKey}
      onFocus={() => setFocused(true)}
      onBlur={() => setFocused(false)}
    >
      <div role="rowgroup" className="grid-head">
        <div role="row" aria-rowindex={1} className="grid-row" style={{ gridTemplateColumns: template }}>
          {table.getHeaderGroups()[0]!.headers.map((h) => (
            <div role="columnheader" key={h.id} className="grid-cell">
              {flexRender(h.column.columnDef.header, h.getContext())}
            </div>
          ))}
        </div>
      </div>
      <div ref={scroller} className="grid-body" role="rowgroup" data-version={w.version}>
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {items.map((it) => {
            const e = w.row(it.index);
            const isSelected = it.index === selected;
            return (
              <div
                key={it.key}
                id={`row-${it.index}`}
                role="row"
                aria-rowindex={it.index + 2}
                aria-selected={isSelected}
                className={`grid-row${isSelected ? ' selected' : ''}${e?.deleted ? ' deleted' : ''}`}
                style={{ gridTemplateColumns: template, transform: `translateY(${it.start}px)`, height: ROW_HEIGHT }}
                onClick={() => {
                  onSelect(it.index);
                  if (e) onOpen(e.eventId);
                }}
              >
                {e
                  ? leafs.map((c, i) => (
                      <div key={c.id} role={i === 0 ? 'rowheader' : 'gridcell'} className="grid-cell">
                        {(c.columnDef.meta as ColumnMeta).render(e)}
                        {i === 0 && e.deleted ? <span className="badge">deleted</span> : null}
                      </div>
                    ))
                  : leafs.map((c, i) => (
                      <div key={c.id} role={i === 0 ? 'rowheader' : 'gridcell'} className="grid-cell placeholder" aria-busy="true">
                        {i === 0 ? 'loading…' : ''}
                      </div>
                    ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
