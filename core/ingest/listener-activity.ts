// What the listener view shows (issue 4/5 "listener status"): the recent rate
// of stored events, each sensor's last call, and the latest rejections with
// their reasons. Kept in memory only: the trail itself is in the store, this
// is the station's live picture since it started.
import type { EventStatus } from './report-events.js';
import type { Rejection, SensorActivity } from '../domain/report-shapes.js';

export type { Rejection, SensorActivity } from '../domain/report-shapes.js';

/** Seconds of history behind the events/s figure. */
const RATE_WINDOW_S = 10;
const MAX_REJECTIONS = 100;
const MAX_SENSORS = 10_000;



export interface ActivitySnapshot {
  accepted: number;
  rejected: number;
  refusedCalls: number;
  eventsPerSecond: number;
  sensors: SensorActivity[];
  recentRejections: Rejection[];
}

/** One event's outcome as the listener answered it. */
export interface EventOutcome {
  eventId: string;
  sensorId: string | null;
  status: EventStatus;
  reason: string;
}

export class ListenerActivity {
  private accepted = 0;
  private rejected = 0;
  private refusedCalls = 0;
  /** Accepted events per whole second (monotonic), the last RATE_WINDOW_S seconds. */
  private readonly perSecond = new Map<number, number>();
  private readonly sensors = new Map<string, SensorActivity>();
  private readonly rejections: Rejection[] = [];

  /** `monotonicMs` drives the rate (tests step it); the times shown come with each call. */
  constructor(
    private readonly monotonicMs: () => number = () => performance.now(),
  ) {}

  recordCall(at: string, clientIp: string | null, outcomes: EventOutcome[]): void {
    let ok = 0;
    for (const o of outcomes) {
      if (o.status === 'EVENT_STATUS_ACCEPTED') {
        ok++;
        if (o.sensorId !== null) this.seen(o.sensorId, at, clientIp);
      } else {
        this.rejected++;
        this.remember({ at, eventId: o.eventId, sensorId: o.sensorId, clientIp, status: o.status, reason: o.reason });
      }
    }
    this.accepted += ok;
    if (ok > 0) {
      const s = Math.floor(this.monotonicMs() / 1000);
      this.perSecond.set(s, (this.perSecond.get(s) ?? 0) + ok);
      for (const k of this.perSecond.keys()) if (k <= s - RATE_WINDOW_S) this.perSecond.delete(k);
    }
  }

  recordRefusedCall(at: string, clientIp: string | null, reason: string): void {
    this.refusedCalls++;
    this.remember({ at, eventId: '', sensorId: null, clientIp, status: 'CALL_REFUSED', reason });
  }

  snapshot(): ActivitySnapshot {
    // The current second is still filling: the rate is over the whole seconds before it.
    const now = Math.floor(this.monotonicMs() / 1000);
    let sum = 0;
    for (const [s, n] of this.perSecond) if (s < now && s >= now - RATE_WINDOW_S) sum += n;
    return {
      accepted: this.accepted,
      rejected: this.rejected,
      refusedCalls: this.refusedCalls,
      eventsPerSecond: sum / RATE_WINDOW_S,
      sensors: [...this.sensors.values()].sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0)),
      recentRejections: [...this.rejections].reverse(),
    };
  }

  private seen(sensorId: string, at: string, clientIp: string | null): void {
    const s = this.sensors.get(sensorId);
    if (s) {
      s.lastSeen = at;
      s.clientIp = clientIp;
      s.accepted++;
      return;
    }
    // A runaway set of sensor ids must not grow memory without bound: forget the stalest.
    if (this.sensors.size >= MAX_SENSORS) {
      let stalest: SensorActivity | undefined;
      for (const v of this.sensors.values()) if (!stalest || v.lastSeen < stalest.lastSeen) stalest = v;
      this.sensors.delete(stalest!.sensorId);
    }
    this.sensors.set(sensorId, { sensorId, lastSeen: at, clientIp, accepted: 1 });
  }

  private remember(r: Rejection): void {
    this.rejections.push(r);
    if (this.rejections.length > MAX_REJECTIONS) this.rejections.shift();
  }
}
