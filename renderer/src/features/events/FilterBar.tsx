// The filter bar: time range (presets and custom), sensor, rule, metadata and
// `$tk` pairs, free text, deleted and spoofed events. Pickers offer what the
// station actually holds (facets); every change lands in the address bar.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { Results } from '../../../../core/api/contract';
import { PRESETS, useLocation, type Filter, type Preset } from '../../state/filter';
import { usePrefs } from '../../state/prefs';

type Facets = Results['facets'];

const PRESET_LABELS: Record<Preset, string> = { '15m': 'Last 15 minutes', '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days' };

/** datetime-local text ↔ station time, in local time or UTC as the user chose. */
function toInput(iso: string | undefined, utc: boolean): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const d = new Date(utc ? ms : ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}
function fromInput(v: string, utc: boolean): string | undefined {
  if (!v) return undefined;
  const ms = utc ? Date.parse(v + 'Z') : new Date(v).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function useFacets(): Facets | null {
  const [facets, setFacets] = useState<Facets | null>(null);
  useEffect(() => {
    // After this render's other requests (the rows come first; pickers can wait).
    const t = setTimeout(() => api.call('facets', { limit: 50 }).then(setFacets, () => setFacets(null)), 0);
    return () => clearTimeout(t);
  }, []);
  return facets;
}

function PairAdder({ label, keys, facets, system, onAdd }: { label: string; keys: string[]; facets: Facets | null; system: boolean; onAdd(k: string, v: string): void }) {
  const id = useId();
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const values = facets?.metadata[key] ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!key.trim()) return;
    onAdd(key.trim(), value);
    setKey('');
    setValue('');
  };
  return (
    <form className="pair" onSubmit={submit} aria-label={`${label} filter`}>
      <label>
        {label} key
        <input list={`${id}-k`} value={key} onChange={(e) => setKey(e.target.value)} placeholder={system ? '$tk.api_type' : 'team'} size={14} />
      </label>
      <datalist id={`${id}-k`}>
        {keys.map((k) => (
          <option key={k} value={k} />
        ))}
      </datalist>
      <label>
        {label} value
        <input list={`${id}-v`} value={value} onChange={(e) => setValue(e.target.value)} size={12} />
      </label>
      <datalist id={`${id}-v`}>
        {values.map((v) => (
          <option key={v.value} value={v.value}>{`${v.events} events`}</option>
        ))}
      </datalist>
      <button type="submit">Add {label.toLowerCase()} filter</button>
    </form>
  );
}

export function FilterBar({ facets }: { facets: Facets | null }) {
  const { filter, setFilter } = useLocation();
  const utc = usePrefs((s) => s.utc);
  const [text, setText] = useState(filter.text ?? '');
  useEffect(() => setText(filter.text ?? ''), [filter.text]);
  const [where, setWhere] = useState(filter.where ?? '');
  useEffect(() => setWhere(filter.where ?? ''), [filter.where]);
  const allKeys = Object.keys(facets?.metadata ?? {});
  const userKeys = allKeys.filter((k) => !k.startsWith('$'));
  const systemKeys = allKeys.filter((k) => k.startsWith('$'));
  const rangeValue = filter.preset ?? (filter.since || filter.until ? 'custom' : 'all');
  const set = (patch: Partial<Filter>) => setFilter(patch);

  return (
    <section className="filter-bar" aria-label="Filters">
      <div className="filter-row">
        <label>
          Time range
          <select
            value={rangeValue}
            onChange={(e) => {
              const v = e.target.value;
              if (v === 'all') set({ preset: undefined, since: undefined, until: undefined });
              else if (v === 'custom') set({ preset: undefined, since: filter.since ?? new Date(Date.now() - 86400_000).toISOString() });
              else set({ preset: v as Preset, since: undefined, until: undefined });
            }}
          >
            <option value="all">Any time</option>
            {(Object.keys(PRESETS) as Preset[]).map((p) => (
              <option key={p} value={p}>
                {PRESET_LABELS[p]}
              </option>
            ))}
            <option value="custom">Custom range</option>
          </select>
        </label>
        {rangeValue === 'custom' && (
          <>
            <label>
              From {utc ? '(UTC)' : '(local)'}
              <input type="datetime-local" step="1" value={toInput(filter.since, utc)} onChange={(e) => set({ since: fromInput(e.target.value, utc) })} />
            </label>
            <label>
              To {utc ? '(UTC)' : '(local)'}
              <input type="datetime-local" step="1" value={toInput(filter.until, utc)} onChange={(e) => set({ until: fromInput(e.target.value, utc) })} />
            </label>
          </>
        )}
        <label>
          Time of
          <select value={filter.by} onChange={(e) => set({ by: e.target.value === 'client' ? 'client' : 'received' })}>
            <option value="received">receipt at the station</option>
            <option value="client">the sensor's clock</option>
          </select>
        </label>
        <label>
          Sensor
          <select value={filter.sensor ?? ''} onChange={(e) => set({ sensor: e.target.value || undefined })}>
            <option value="">All sensors</option>
            {filter.sensor && !facets?.sensors.some((s) => s.value === filter.sensor) && <option value={filter.sensor}>{filter.sensor}</option>}
            {facets?.sensors.map((s) => (
              <option key={s.value} value={s.value}>
                {s.value} ({s.events.toLocaleString()})
              </option>
            ))}
          </select>
        </label>
        <label>
          Rule
          <select value={filter.rule ?? ''} onChange={(e) => set({ rule: e.target.value || undefined })}>
            <option value="">Any or no rule</option>
            {filter.rule && !facets?.rules.some((s) => s.value === filter.rule) && <option value={filter.rule}>{filter.rule}</option>}
            {facets?.rules.map((s) => (
              <option key={s.value} value={s.value}>
                {s.name ?? s.value} ({s.events.toLocaleString()})
              </option>
            ))}
          </select>
        </label>
        <form
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            set({ text: text.trim() || undefined });
          }}
        >
          <label>
            Text
            <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="words in payload or metadata" size={22} />
          </label>
          <button type="submit">Search</button>
        </form>
        <label>
          Rule evidence
          <select value={filter.verification ?? ''} onChange={(e) => set({ verification: (e.target.value || undefined) as Filter['verification'] })}>
            <option value="">Any</option>
            <option value="disagrees">Disagrees with the payload</option>
            <option value="agrees">Re-verified</option>
            <option value="not_verifiable">Not verifiable</option>
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={filter.includeDeleted} onChange={(e) => set({ includeDeleted: e.target.checked })} />
          Show deleted
        </label>
        <label className="check">
          <input type="checkbox" checked={filter.spoofed} onChange={(e) => set({ spoofed: e.target.checked })} />
          Only spoof attempts
        </label>
      </div>
      <div className="filter-row">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            set({ where: where.trim() || undefined });
          }}
        >
          <label>
            Payload condition
            <input className="mono" value={where} onChange={(e) => setWhere(e.target.value)} placeholder="$.devices[*].temperature > 90" size={30} />
          </label>
          <button type="submit">Apply condition</button>
        </form>
        <PairAdder label="Metadata" keys={userKeys} facets={facets} system={false} onAdd={(k, v) => set({ meta: [...filter.meta, [k, v]] })} />
        <PairAdder label="$tk" keys={systemKeys} facets={facets} system onAdd={(k, v) => set({ meta: [...filter.meta, [k, v]] })} />
        {filter.meta.length > 0 && (
          <ul className="chips" aria-label="Metadata filters">
            {filter.meta.map(([k, v], i) => (
              <li key={`${k}=${v}`}>
                <span className="mono">
                  {k}={v}
                </span>
                <button type="button" aria-label={`Remove filter ${k}=${v}`} onClick={() => set({ meta: filter.meta.filter((_, j) => j !== i) })}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <button type="button" onClick={() => setFilter({ preset: undefined, since: undefined, until: undefined, by: 'received', sensor: undefined, rule: undefined, meta: [], text: undefined, includeDeleted: false, spoofed: false, where: undefined, verification: undefined })}>
          Clear filters
        </button>
      </div>
    </section>
  );
}
