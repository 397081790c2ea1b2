// The gRPC listener, live: where sensors report, whether they need a key, the
// rate, who reported last, and what was turned away and why.
import { useEffect, useState } from 'react';
import { api, ApiCallError } from '../../api/client';
import type { ListenerStatus } from '../../../../core/api/contract';
import { Time } from '../../ui/Time';

export function ListenerView() {
  const [status, setStatus] = useState<ListenerStatus | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    api.call('listenerStatus', {}).then(setStatus, (e: unknown) => setProblem(e instanceof ApiCallError ? e.message : String(e)));
    return api.subscribe((u) => {
      if (u.topic === 'listener') setStatus(u.data);
    });
  }, []);
  if (problem) return <p role="alert" className="problem">Cannot read the listener: {problem}</p>;
  if (!status) return <p role="status">Loading…</p>;
  if (!status.running) return <p role="status" className="empty">This station runs without a gRPC listener: sensors cannot report to it.</p>;
  return (
    <div className="listener">
      <section className="card" aria-label="Listener">
        <h2>gRPC listener</h2>
        <dl className="facts">
          <div><dt>Address</dt><dd className="mono">{status.address}</dd></div>
          <div><dt>Authentication</dt><dd>{status.authMode === 'api_key' ? 'API key required (x-api-key)' : 'open: loopback sensors need no key'}</dd></div>
          <div><dt>Running since</dt><dd><Time value={status.startedAt} /></dd></div>
          <div><dt>Events per second</dt><dd aria-label="Events per second">{status.eventsPerSecond.toFixed(1)}</dd></div>
          <div><dt>Accepted</dt><dd>{status.accepted.toLocaleString()}</dd></div>
          <div><dt>Rejected events</dt><dd>{status.rejected.toLocaleString()}</dd></div>
          <div><dt>Refused calls</dt><dd>{status.refusedCalls.toLocaleString()}</dd></div>
        </dl>
      </section>
      <section className="card" aria-label="Sensors">
        <h2>Sensors since start</h2>
        {status.sensors.length === 0 ? (
          <p className="muted">No sensor has reported since the station started.</p>
        ) : (
          <table className="figures" aria-label="Sensors seen">
            <thead>
              <tr><th scope="col">Sensor</th><th scope="col">Last seen</th><th scope="col">Client IP</th><th scope="col">Accepted</th></tr>
            </thead>
            <tbody>
              {status.sensors.map((s) => (
                <tr key={s.sensorId}>
                  <th scope="row">{s.sensorId}</th>
                  <td><Time value={s.lastSeen} /></td>
                  <td className="mono">{s.clientIp ?? '—'}</td>
                  <td>{s.accepted.toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-label="Recent rejections">
        <h2>Recent rejections</h2>
        {status.recentRejections.length === 0 ? (
          <p className="muted">Nothing rejected since the station started.</p>
        ) : (
          <table className="figures" aria-label="Recent rejections">
            <thead>
              <tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Event ID</th><th scope="col">Sensor</th><th scope="col">Client IP</th><th scope="col">Reason</th></tr>
            </thead>
            <tbody>
              {status.recentRejections.map((r, i) => (
                <tr key={i}>
                  <th scope="row"><Time value={r.at} /></th>
                  <td>{r.status === 'CALL_REFUSED' ? 'call refused' : r.status === 'EVENT_STATUS_ERROR' ? 'error' : 'rejected'}</td>
                  <td className="mono">{r.eventId || '—'}</td>
                  <td>{r.sensorId ?? '—'}</td>
                  <td className="mono">{r.clientIp ?? '—'}</td>
                  <td>{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
