// The app frame: which view, the time-zone toggle, and a warning when the
// disk holding the trail runs low.
import { useEffect, useState } from 'react';
import { api } from './api/client';
import type { Results } from '../../core/api/contract';
import { useLocation, type View } from './state/filter';
import { usePrefs } from './state/prefs';
import { formatBytes, zoneLabel } from './ui/time';
import { EventBrowser } from './features/events/EventBrowser';
import { AuditView } from './features/audit/AuditView';
import { ListenerView } from './features/listener/ListenerView';

/** Below this much free space the trail is at risk (and a warning shows). */
const LOW_DISK_BYTES = 2 * 1024 ** 3;

const VIEWS: Array<[View, string]> = [
  ['events', 'Events'],
  ['audit', 'Audit'],
  ['listener', 'Listener'],
];

function DiskWarning() {
  const [disk, setDisk] = useState<Results['diskFacts'] | null>(null);
  useEffect(() => {
    const check = () => void api.call('diskFacts', {}).then(setDisk, () => {});
    check();
    const t = setInterval(check, 60_000);
    return () => clearInterval(t);
  }, []);
  if (!disk || disk.freeBytes >= LOW_DISK_BYTES) return null;
  return (
    <p role="alert" className="banner warn">
      Low disk space: {formatBytes(disk.freeBytes)} free where the trail is kept ({disk.dataDir}). When it runs out, sensors' events are refused.
    </p>
  );
}

export function App() {
  const { view, go } = useLocation();
  const { utc, setUtc } = usePrefs();
  return (
    <div className="app">
      <header className="app-header">
        <h1>TrapperKeeper</h1>
        <nav aria-label="Views">
          {VIEWS.map(([v, label]) => (
            <a
              key={v}
              href={v === 'events' ? '?' : `?view=${v}`}
              aria-current={view === v ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                go({ view: v, event: undefined });
              }}
            >
              {label}
            </a>
          ))}
        </nav>
        <button type="button" className="zone" aria-pressed={utc} onClick={() => setUtc(!utc)} title="Show times in UTC or in this computer's time zone">
          {utc ? 'Times in UTC' : `Local time (${zoneLabel()})`}
        </button>
      </header>
      <DiskWarning />
      <main>
        {view === 'events' && <EventBrowser />}
        {view === 'audit' && <AuditView />}
        {view === 'listener' && <ListenerView />}
      </main>
    </div>
  );
}
