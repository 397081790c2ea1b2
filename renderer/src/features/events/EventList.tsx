// The newest events, through the one API client, refreshed when the station
// says events arrived.
import { useCallback, useEffect, useState } from 'react';
import { api, ApiCallError } from '../../api/client';
import type { EventSummary } from '../../../../core/api/contract';

type State = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; events: EventSummary[]; total: number };

export function EventList() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const load = useCallback(async () => {
    try {
      const [page, count] = await Promise.all([api.call('listEvents', { limit: 100 }), api.call('countEvents', {})]);
      setState({ kind: 'ready', events: page.events, total: count.count });
    } catch (e) {
      setState({ kind: 'error', message: e instanceof ApiCallError ? e.message : String(e) });
    }
  }, []);

  useEffect(() => {
    void load();
    return api.subscribe((u) => {
      if (u.topic === 'events') void load();
    });
  }, [load]);

  if (state.kind === 'loading') return <p role="status">Loading events…</p>;
  if (state.kind === 'error') return <p role="alert">Cannot load events: {state.message}</p>;
  if (state.events.length === 0) return <p role="status">No events yet. Sensors send them to this station over gRPC; tk import adds files.</p>;
  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">
        Newest events <span className="muted">({state.events.length} of {state.total})</span>
      </h2>
      <table aria-label="Events">
        <thead>
          <tr>
            <th scope="col">Received (UTC)</th>
            <th scope="col">Sensor</th>
            <th scope="col">Event ID</th>
            <th scope="col">Rules</th>
          </tr>
        </thead>
        <tbody>
          {state.events.map((e) => (
            <tr key={e.eventId}>
              <th scope="row">{e.receivedAt}</th>
              <td>{e.sensorId ?? '—'}</td>
              <td className="mono">{e.eventId}</td>
              <td>{e.ruleCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
