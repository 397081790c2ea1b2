// The audit view over the current filter: how events reached the station
// ($tk.api_type / api_version / server_version), spoof attempts, each sensor's
// clock skew and client addresses. Every figure opens the events behind it.
import { useEffect, useMemo, useState } from 'react';
import { api, ApiCallError } from '../../api/client';
import type { Results } from '../../../../core/api/contract';
import { apiFilter, useLocation, type Filter } from '../../state/filter';
import { formatMs } from '../../ui/time';
import { Time } from '../../ui/Time';
import { FilterBar, useFacets } from '../events/FilterBar';

type Audit = Results['auditSummary'];

const SYSTEM_LABELS: Record<string, string> = {
  '$tk.api_type': 'Client API type',
  '$tk.api_version': 'Client API version',
  '$tk.server_version': 'Station version',
};

export function AuditView() {
  const facets = useFacets();
  return (
    <>
      <FilterBar facets={facets} />
      <AuditFigures />
    </>
  );
}

function AuditFigures() {
  const { filter, go } = useLocation();
  const query = useMemo(() => apiFilter(filter), [filter]);
  const [state, setState] = useState<{ kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; a: Audit }>({ kind: 'loading' });
  useEffect(() => {
    let live = true;
    setState({ kind: 'loading' });
    api.call('auditSummary', query).then(
      (a) => live && setState({ kind: 'ready', a }),
      (e: unknown) => live && setState({ kind: 'error', message: e instanceof ApiCallError ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [query]);

  /** Opens the event list with the current filter narrowed further. */
  const show = (patch: Partial<Filter>) => go({ view: 'events', event: undefined, filter: { ...filter, ...patch, meta: [...filter.meta, ...(patch.meta ?? [])] } });
  const count = (n: number, patch: Partial<Filter>, what: string) =>
    n === 0 ? (
      <span>0</span>
    ) : (
      <button type="button" className="link" onClick={() => show(patch)} aria-label={`${n.toLocaleString()} ${what}: show them`}>
        {n.toLocaleString()}
      </button>
    );

  if (state.kind === 'loading') return <p role="status">Counting…</p>;
  if (state.kind === 'error') return <p role="alert" className="problem">Cannot compute the audit: {state.message}</p>;
  const a = state.a;
  if (a.events === 0) return <p role="status" className="empty">No events match the current filter.</p>;

  return (
    <div className="audit">
      <p className="lead">
        Over <strong>{a.events.toLocaleString()}</strong> events of the current filter.
      </p>
      <section className="card" aria-label="Spoof attempts">
        <h2>Spoof attempts</h2>
        <p>
          Events on which a sensor tried to write reserved <code>$</code> keys (stripped by the station):{' '}
          {count(a.spoofed, { spoofed: true }, 'events with spoof attempts')}
        </p>
        {a.spoofUnknown > 0 && <p className="muted">{a.spoofUnknown.toLocaleString()} events were indexed before spoof attempts were counted; run tk reindex to count them.</p>}
      </section>

      <section className="card" aria-label="Rule evidence">
        <h2>Rule evidence, re-verified</h2>
        <p className="muted">Each recorded match is checked again: does the rule snapshot match the payload, do the matched field and value and the record snapshot agree with it?</p>
        <table className="figures" aria-label="Rule evidence">
          <tbody>
            <tr className={a.verification.disagrees > 0 ? 'flagged' : ''}>
              <th scope="row">Disagrees with the payload</th>
              <td className={a.verification.disagrees > 0 ? 'flag' : ''}>{count(a.verification.disagrees, { verification: 'disagrees' }, 'events whose evidence disagrees')}</td>
            </tr>
            <tr>
              <th scope="row">Re-verified</th>
              <td>{count(a.verification.agrees, { verification: 'agrees' }, 're-verified events')}</td>
            </tr>
            <tr>
              <th scope="row">Not verifiable (unreadable snapshot)</th>
              <td>{count(a.verification.not_verifiable, { verification: 'not_verifiable' }, 'events that cannot be verified')}</td>
            </tr>
            <tr>
              <th scope="row">No rule matched</th>
              <td>{a.verification.none.toLocaleString()}</td>
            </tr>
            {a.verification.unchecked > 0 && (
              <tr>
                <th scope="row">Indexed before checks existed (run tk reindex)</th>
                <td>{a.verification.unchecked.toLocaleString()}</td>
              </tr>
            )}
          </tbody>
        </table>
      </section>

      <div className="audit-grid">
        {Object.entries(a.system).map(([key, values]) => (
          <section className="card" key={key} aria-label={SYSTEM_LABELS[key] ?? key}>
            <h2>
              {SYSTEM_LABELS[key] ?? key} <code className="muted">{key}</code>
            </h2>
            <table className="figures" aria-label={`${key} breakdown`}>
              <thead>
                <tr>
                  <th scope="col">Value</th>
                  <th scope="col">Events</th>
                </tr>
              </thead>
              <tbody>
                {values.map((v) => (
                  <tr key={v.value}>
                    <th scope="row">{v.value === '' ? <span className="muted">(not recorded)</span> : <code>{v.value}</code>}</th>
                    <td>{v.value === '' ? v.events.toLocaleString() : count(v.events, { meta: [[key, v.value]] }, `events with ${key}=${v.value}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
      </div>

      <section className="card" aria-label="Clock skew per sensor">
        <h2>Clock skew per sensor</h2>
        <p className="muted">
          Skew = receipt time − the sensor's own time. Flagged: over {a.skewFlagMs} ms late, or negative (the sensor's clock runs ahead of the station's).
        </p>
        <table className="figures" aria-label="Clock skew per sensor">
          <thead>
            <tr>
              <th scope="col">Sensor</th>
              <th scope="col">Events</th>
              <th scope="col">Min skew</th>
              <th scope="col">Mean skew</th>
              <th scope="col">Max skew</th>
              <th scope="col">Late &gt; {a.skewFlagMs} ms</th>
              <th scope="col">Ahead (&lt; 0)</th>
              <th scope="col">Spoof attempts</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {a.sensors.map((s) => (
              <tr key={s.sensor ?? '(none)'} className={s.late > 0 || s.ahead > 0 ? 'flagged' : ''}>
                <th scope="row">{s.sensor ?? <span className="muted">(no sensor)</span>}</th>
                <td>{s.sensor === null ? s.events.toLocaleString() : count(s.events, { sensor: s.sensor }, `events from ${s.sensor}`)}</td>
                <td className={s.minSkewMs < 0 ? 'flag' : ''}>{formatMs(s.minSkewMs)}</td>
                <td>{formatMs(s.meanSkewMs)}</td>
                <td className={s.maxSkewMs > a.skewFlagMs ? 'flag' : ''}>{formatMs(s.maxSkewMs)}</td>
                <td className={s.late > 0 ? 'flag' : ''}>{s.late.toLocaleString()}</td>
                <td className={s.ahead > 0 ? 'flag' : ''}>{s.ahead.toLocaleString()}</td>
                <td className={s.spoofed > 0 ? 'flag' : ''}>{s.sensor === null ? s.spoofed : count(s.spoofed, { sensor: s.sensor, spoofed: true }, `spoof attempts from ${s.sensor}`)}</td>
                <td><Time value={s.lastSeen} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="card" aria-label="Client IPs per sensor">
        <h2>Client IPs per sensor</h2>
        <table className="figures" aria-label="Client IPs per sensor">
          <thead>
            <tr>
              <th scope="col">Sensor</th>
              <th scope="col">Client IPs (events)</th>
            </tr>
          </thead>
          <tbody>
            {a.sensors.map((s) => (
              <tr key={s.sensor ?? '(none)'} className={s.clientIps.length > 1 ? 'flagged' : ''}>
                <th scope="row">{s.sensor ?? <span className="muted">(no sensor)</span>}</th>
                <td>
                  {s.clientIps.length === 0 ? (
                    <span className="muted">not recorded</span>
                  ) : (
                    s.clientIps.map((ip) => (
                      <span key={ip.value} className="ip">
                        <code>{ip.value}</code> ({count(ip.events, { ...(s.sensor ? { sensor: s.sensor } : {}), meta: [['$tk.client_ip', ip.value]] }, `events from ${ip.value}`)})
                      </span>
                    ))
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
