// The event browser: filters, timeline, the virtualized table, and the detail
// panel of the open event. Live tail (newest first) follows new events as the
// station reports them; otherwise a note says how many arrived.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, ApiCallError } from '../../api/client';
import { apiFilter, useLocation } from '../../state/filter';
import { ALL_COLUMNS, usePrefs, type ColumnId } from '../../state/prefs';
import { useEventWindow } from './event-window';
import { EventTable } from './EventTable';
import { FilterBar, useFacets } from './FilterBar';
import { Timeline } from './Timeline';
import { EventDetail } from '../event-detail/EventDetail';

const COLUMN_LABELS: Record<ColumnId, string> = { time: 'Time', sensor: 'Sensor', eventId: 'Event ID', rule: 'Rule · action', rules: 'Rules matched', payload: 'Payload' };

function ColumnChooser({ metaKeys }: { metaKeys: string[] }) {
  const { columns, metaColumns, toggleColumn, toggleMetaColumn } = usePrefs();
  return (
    <details className="menu">
      <summary>Columns</summary>
      <fieldset>
        <legend>Columns shown</legend>
        {ALL_COLUMNS.map((c) => (
          <label key={c} className="check">
            <input type="checkbox" checked={columns.includes(c)} disabled={c === 'time'} onChange={() => toggleColumn(c)} />
            {COLUMN_LABELS[c]}
          </label>
        ))}
        {metaKeys.map((k) => (
          <label key={k} className="check">
            <input type="checkbox" checked={metaColumns.includes(k)} onChange={() => toggleMetaColumn(k)} />
            <span className="mono">{k}</span>
          </label>
        ))}
      </fieldset>
    </details>
  );
}

function GoToEvent({ onOpen }: { onOpen(id: string): void }) {
  const [id, setId] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const want = id.trim().toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(want)) return setProblem('an event ID looks like 0193a0b0-1234-7abc-9def-0123456789ab');
    const found = await api.call('getEvent', { eventId: want }).catch(() => null);
    if (!found) return setProblem(`no event ${want} in this station`);
    setProblem(null);
    setId('');
    onOpen(want);
  };
  return (
    <form className="goto" onSubmit={(e) => void submit(e)}>
      <label>
        Go to event ID
        <input value={id} onChange={(e) => setId(e.target.value)} size={38} className="mono" aria-invalid={problem !== null} aria-describedby="goto-problem" />
      </label>
      <button type="submit">Open</button>
      {problem && (
        <span id="goto-problem" role="alert" className="problem">
          {problem}
        </span>
      )}
    </form>
  );
}

export function EventBrowser() {
  const { filter, order, event, go, setFilter } = useLocation();
  const { liveTail, setLiveTail } = usePrefs();
  const facets = useFacets();
  // A preset ("last 24 hours") becomes a fixed `since` when the filter is set, so pages agree with each other.
  const query = useMemo(() => apiFilter(filter), [filter]);
  const w = useEventWindow(query, order);
  const [selected, setSelected] = useState(0);
  const [scrollTo, setScrollTo] = useState<{ position: number; nonce: number } | null>(null);
  const [arrived, setArrived] = useState(0);
  const [format, setFormat] = useState<'jsonl' | 'jsonl.gz' | 'csv'>('jsonl');
  const [exportProblem, setExportProblem] = useState<string | null>(null);
  const timeline = w.state.kind === 'ready' ? w.state.timeline : null;
  // Until the timeline has counted, the table holds the first page only.
  const total = w.state.kind !== 'ready' ? 0 : timeline ? timeline.total : w.state.firstPage;

  useEffect(() => {
    setSelected(0);
    setArrived(0);
  }, [query, order]);

  // New events: follow them when tailing the newest, else count them for the user.
  const tailing = liveTail && order === 'desc' && !filter.until;
  useEffect(
    () =>
      api.subscribe((u) => {
        if (u.topic !== 'events') return;
        if (tailing || u.data.deleted > 0) {
          w.reload();
          setArrived(0);
        } else setArrived((n) => n + u.data.stored);
      }),
    [tailing, w.reload],
  );

  const metaKeys = Object.keys(facets?.metadata ?? {}).sort();
  const open = (id: string) => go({ event: id });

  return (
    <div className="browser">
      <FilterBar facets={facets} />
      <div className="toolbar" role="toolbar" aria-label="Event list">
        <span role="status" aria-live="polite" className="count">
          {timeline ? `${total.toLocaleString()} ${total === 1 ? 'event' : 'events'}` : w.state.kind !== 'error' ? 'Counting…' : ''}
        </span>
        <label>
          Order
          <select value={order} onChange={(e) => go({ order: e.target.value === 'asc' ? 'asc' : 'desc' })}>
            <option value="desc">Newest first</option>
            <option value="asc">Oldest first</option>
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={liveTail} onChange={(e) => setLiveTail(e.target.checked)} />
          Live tail
        </label>
        {arrived > 0 && (
          <button type="button" onClick={() => (w.reload(), setArrived(0))}>
            {arrived.toLocaleString()} new {arrived === 1 ? 'event' : 'events'} — show
          </button>
        )}
        <ColumnChooser metaKeys={metaKeys} />
        <span className="export">
          <label>
            Export as
            <select value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
              <option value="jsonl">JSON Lines</option>
              <option value="jsonl.gz">JSON Lines, gzip</option>
              <option value="csv">CSV</option>
            </select>
          </label>
          <button
            type="button"
            disabled={total === 0}
            onClick={() =>
              void api.download('exportEvents', { ...query, order, format }).then(
                () => setExportProblem(null),
                (e: unknown) => setExportProblem(e instanceof ApiCallError ? e.message : String(e)),
              )
            }
          >
            {api.kind === 'desktop' ? 'Save…' : 'Download'} {total.toLocaleString()} {total === 1 ? 'event' : 'events'}
          </button>
          {exportProblem && <span role="alert" className="problem">{exportProblem}</span>}
        </span>
        <GoToEvent onOpen={open} />
      </div>
      {timeline && (
        <Timeline
          timeline={timeline}
          onJump={(s) => {
            const p = w.positionOf(s);
            // Ask for the rows before the table scrolls there, not after it has drawn placeholders.
            w.want(p, p + 40);
            setSelected(p);
            setScrollTo({ position: p, nonce: Date.now() });
          }}
          onNarrow={(since, until) => setFilter({ preset: undefined, since, until })}
        />
      )}
      <div className={`browser-main${event ? ' with-detail' : ''}`}>
        {w.state.kind === 'error' ? (
          <p role="alert" className="problem">
            Cannot load events: {w.state.message}
          </p>
        ) : w.state.kind === 'loading' ? (
          <p role="status">Loading events…</p>
        ) : total === 0 ? (
          <p role="status" className="empty">
            {filter.meta.length || filter.sensor || filter.rule || filter.text || filter.where || filter.verification || filter.preset || filter.since || filter.until || filter.spoofed
              ? 'No events match these filters.'
              : 'No events yet. Sensors report to this station over gRPC; tk import adds files of events.'}
          </p>
        ) : (
          <EventTable window={w} by={filter.by} total={total} selected={selected} onSelect={setSelected} onOpen={open} scrollTo={scrollTo} />
        )}
        {w.pageError && <p role="alert" className="problem">Some rows could not be loaded: {w.pageError}</p>}
        {event && <EventDetail eventId={event} onClose={() => go({ event: undefined })} onChanged={w.reload} />}
      </div>
    </div>
  );
}
