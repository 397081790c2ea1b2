// One event, everything the trail knows about it: its times and their skew,
// the rule that fired (as readable DNF) and the record that made it fire
// (highlighted inside the payload), user and `$tk` metadata apart, spoof
// attempts, the stored line itself, and its delete marker — or a delete form.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiCallError } from '../../api/client';
import type { ConditionResult, EventDetail as Detail, Verification } from '../../../../core/api/contract';
import { CopyJson, JsonTree } from '../../ui/JsonTree';
import { Time } from '../../ui/Time';
import { diffMs, formatMs, uuid7Time } from '../../ui/time';
import { ruleText } from './rule-text';
import { payloadMarks } from './snapshot-marks';

type State = { kind: 'loading' } | { kind: 'missing' } | { kind: 'error'; message: string } | { kind: 'ready'; e: Detail };

function Facts({ rows, label }: { rows: Array<[string, ReactNode]>; label: string }) {
  return (
    <dl className="facts" aria-label={label}>
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

type RuleCheck = Verification['rules'][number];

const WHY: Record<ConditionResult['why'], string> = {
  compared: '',
  missing: 'field missing',
  coercion_failed: 'value not of the field type',
  ref_missing: 'compared field missing',
};

/** How one condition fared against this payload, in words. */
function Outcome({ c }: { c: ConditionResult }) {
  const where = c.at ? ` at ${c.at}` : '';
  const value = c.value !== undefined ? ` = ${JSON.stringify(c.value)}` : '';
  const policy = c.why !== 'compared' ? ` (${WHY[c.why]}; policy ${c.policy ?? 'skip'})` : '';
  return (
    <span className={`outcome ${c.holds ? 'holds' : 'fails'}`}>
      {c.holds ? '✓ holds' : '✗ does not hold'}
      {where}
      {value}
      {policy}
    </span>
  );
}

const VERDICT_TEXT: Record<Verification['verdict'], string> = {
  agrees: 'Re-verified: the rule matches this payload',
  disagrees: 'Disagrees: the recorded match does not hold',
  not_verifiable: 'Not verifiable',
};

function Evidence({ v }: { v: Verification }) {
  return (
    <section className={`card verdict-${v.verdict}`} aria-label="Evidence check">
      <h3>
        <span className={`badge verdict ${v.verdict}`} role="status">
          {VERDICT_TEXT[v.verdict]}
        </span>
        {v.sampled && <span className="badge">sampled rule</span>}
      </h3>
      {v.reasons.length > 0 && (
        <ul aria-label="Reasons">
          {v.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      {v.sampled && <p className="muted">The rule samples records (sample rate below 1): the sensor evaluated only some of them; a match still has to hold.</p>}
      {v.recordSnapshotConsistent === true && <p className="muted">The record snapshot holds the payload's own values.</p>}
    </section>
  );
}

function RuleSnapshot({ snapshot, title, check }: { snapshot: unknown; title: string; check?: RuleCheck | undefined }) {
  const r = ruleText(snapshot);
  const trace = check?.evaluation;
  const name = (snapshot as { name?: unknown } | null)?.name;
  return (
    <section className="card" aria-label={title}>
      <h3>
        {title}
        {typeof name === 'string' ? `: ${name}` : ''}
      </h3>
      <Facts label={`${title} facts`} rows={r.facts} />
      {check?.problem && <p className="problem">Cannot be evaluated: {check.problem}</p>}
      {r.groups.length === 0 ? (
        <p className="muted">The snapshot holds no conditions.</p>
      ) : (
        <div className="dnf" aria-label="Conditions">
          <p className="muted">Matches when {r.groups.length > 1 ? 'any one of these groups holds (all conditions in it)' : 'all of these hold'}:</p>
          <ol className="dnf-groups">
            {r.groups.map((g, i) => (
              <li key={i} className={`dnf-group${trace ? (trace.groups[i]?.holds ? ' holds' : ' fails') : ''}`}>
                {r.groups.length > 1 && <span className="dnf-or">{i === 0 ? 'either' : 'or'}</span>}
                {trace && <span className="group-outcome">{trace.groups[i]?.holds ? ' — this group holds' : ' — this group does not hold'}</span>}
                <ul>
                  {g.map((c, j) => (
                    <li key={j}>
                      {j > 0 && <span className="dnf-and">and </span>}
                      <code>{c.expression}</code>
                      {c.notes.map((n) => (
                        <span key={n} className="note">
                          {' · '}
                          {n}
                        </span>
                      ))}
                      {trace?.groups[i]?.conditions[j] && (
                        <div className="trace">
                          <Outcome c={trace.groups[i]!.conditions[j]!} />
                        </div>
                      )}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}

function MetadataTable({ pairs, label }: { pairs: Array<[string, string]>; label: string }) {
  if (pairs.length === 0) return <p className="muted">None.</p>;
  return (
    <table className="kv" aria-label={label}>
      <tbody>
        {pairs.map(([k, v]) => (
          <tr key={k}>
            <th scope="row" className="mono">
              {k}
            </th>
            <td className="mono">{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DeleteForm({ eventId, onDeleted }: { eventId: string; onDeleted(): void }) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.call('deleteEvent', { eventId, reason });
      setProblem(null);
      onDeleted();
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : String(err));
    }
  };
  return (
    <form className="delete" onSubmit={(e) => void submit(e)} aria-label="Delete this event">
      <p className="muted">Deleting hides the event from lists. Its line stays in the file; a marker line records who-why-when.</p>
      <label>
        Reason for deleting
        <input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={1000} size={40} />
      </label>
      <button type="submit" className="danger" disabled={reason.trim() === ''}>
        Delete event
      </button>
      {problem && (
        <span role="alert" className="problem">
          {problem}
        </span>
      )}
    </form>
  );
}

export function EventDetail({ eventId, onClose, onChanged }: { eventId: string; onClose(): void; onChanged(): void }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setState({ kind: 'loading' });
    api.call('getEvent', { eventId }).then(
      (e) => live && setState(e ? { kind: 'ready', e } : { kind: 'missing' }),
      (err: unknown) => live && setState({ kind: 'error', message: err instanceof ApiCallError ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [eventId, version]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <section className="detail" aria-label="Event detail">
      <header className="detail-head">
        <h2>Event</h2>
        <button type="button" onClick={onClose} aria-label="Close event detail (Esc)">
          Close
        </button>
      </header>
      {state.kind === 'loading' && <p role="status">Loading event…</p>}
      {state.kind === 'missing' && <p role="alert">No event {eventId} in this station.</p>}
      {state.kind === 'error' && <p role="alert" className="problem">Cannot load the event: {state.message}</p>}
      {state.kind === 'ready' && <DetailBody d={state.e} onDeleted={() => (setVersion((v) => v + 1), onChanged())} />}
    </section>
  );
}

function DetailBody({ d, onDeleted }: { d: Detail; onDeleted(): void }) {
  const e = d.event;
  const idTime = uuid7Time(d.eventId);
  const skew = diffMs(d.clientTimestamp, d.receivedAt);
  const md = Object.entries(e.metadata ?? {});
  const user = md.filter(([k]) => !k.startsWith('$'));
  const system = md.filter(([k]) => k.startsWith('$'));
  const stripped = Object.entries(e.audit?.stripped_metadata ?? {});
  // The station re-verified the record snapshot against the payload (issue 6); its words say where they differ.
  const snapshotProblems = d.verification?.recordSnapshotConsistent === false ? d.verification.reasons.filter((r) => r.includes('record snapshot')) : [];
  const snapshots = e.rule_snapshots ?? (e.rule_snapshot ? [e.rule_snapshot] : []);

  return (
    <div className="detail-body">
      <Facts
        label="Identity and times"
        rows={[
          ['Event ID', <span className="mono">{d.eventId}</span>],
          ['ID time (UUIDv7)', idTime ? <Time value={idTime} /> : <span className="problem">not a UUIDv7</span>],
          ['Client time', <><Time value={d.clientTimestamp} digits={9} />{e.audit?.client_timestamp_source && e.audit.client_timestamp_source !== 'event' ? <span className="note"> · from the {e.audit.client_timestamp_source}</span> : null}</>],
          ['Received', <Time value={d.receivedAt} digits={9} />],
          ['Skew (received − client)', <span className={skew < 0 || skew > 100 ? 'flag' : ''}>{formatMs(skew)}{skew < 0 ? ' · sensor clock ahead' : skew > 100 ? ' · over 100 ms' : ''}</span>],
          ['Sensor', d.sensorId ?? '—'],
          ['Arrived by', d.origin ?? 'unknown (index rebuilt)'],
        ]}
      />

      {d.deleted && (
        <section className="card warn" aria-label="Delete marker">
          <h3>Deleted</h3>
          {d.markers.map((m) => (
            <Facts key={m.marker_id} label="Marker" rows={[['Marked at', <Time value={m.marked_at} />], ['Reason', m.reason], ['Marker ID', <span className="mono">{m.marker_id}</span>]]} />
          ))}
        </section>
      )}

      {stripped.length > 0 && (
        <section className="card warn" role="alert" aria-label="Spoof attempt">
          <h3>Spoof attempt: the sensor tried to write reserved keys</h3>
          <p>The station removed them and wrote its own values. What the sensor sent:</p>
          <MetadataTable pairs={stripped} label="Stripped metadata" />
        </section>
      )}
      {e.audit?.claimed_sensor_id !== undefined && (
        <p className="card warn" role="note">
          The event claimed sensor <span className="mono">{e.audit.claimed_sensor_id}</span>; the request named <span className="mono">{d.sensorId}</span>.
        </p>
      )}

      {d.verification && <Evidence v={d.verification} />}

      {(e.matched_rules?.length ?? 0) > 0 && (
        <section aria-label="Matched rules">
          <h3>Matched rules</h3>
          <ul className="plain">
            {e.matched_rules!.map((r) => (
              <li key={r.rule_id}>
                <span className="mono">{r.rule_id}</span> {r.action ? <span className="badge">{r.action}</span> : null}
              </li>
            ))}
          </ul>
          <Facts
            label="Match"
            rows={[
              ['Matched field', e.matched_field !== undefined ? <code>{e.matched_field}</code> : '—'],
              ['Matched value', e.matched_value !== undefined ? <code>{JSON.stringify(e.matched_value)}</code> : '—'],
              ...(e.matched_condition !== undefined ? ([['Matched condition', <code>{JSON.stringify(e.matched_condition)}</code>]] as Array<[string, ReactNode]>) : []),
            ]}
          />
          {snapshots.map((s, i) => (
            <RuleSnapshot key={i} snapshot={s} title={snapshots.length > 1 ? `Rule snapshot ${i + 1}` : 'Rule snapshot'} check={d.verification?.rules[i]} />
          ))}
        </section>
      )}

      {e.record_snapshot !== undefined && (
        <section className="card" aria-label="Record snapshot">
          <h3>Record snapshot</h3>
          <p className="muted">The fields the rule read, as they were when it matched; highlighted in the payload below.</p>
          {snapshotProblems.map((p) => (
            <p key={p} role="alert" className="problem">
              {p.charAt(0).toUpperCase() + p.slice(1)}.
            </p>
          ))}
          <JsonTree value={e.record_snapshot} label="Record snapshot" />
        </section>
      )}

      <section className="card" aria-label="Payload">
        <h3>
          Payload <CopyJson value={e.payload} label="Copy as JSON" />
        </h3>
        <JsonTree value={e.payload} label="Payload" mark={payloadMarks(e.payload, e.record_snapshot, e.matched_field)} />
      </section>

      <section className="card" aria-label="Metadata">
        <h3>User metadata</h3>
        <MetadataTable pairs={user} label="User metadata" />
        <h3>System metadata ($tk)</h3>
        <MetadataTable pairs={system} label="System metadata" />
      </section>

      <details className="card">
        <summary>Stored line</summary>
        <pre className="raw" aria-label="Stored line">{d.line}</pre>
      </details>

      {!d.deleted && <DeleteForm eventId={d.eventId} onDeleted={onDeleted} />}
    </div>
  );
}
