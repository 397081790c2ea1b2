// Live updates for the UI (the contract's subscription): "events" when events
// are stored or deleted, "listener" with the listener's status once a second.
// Commits are coalesced: at a thousand events a second the UI gets a few
// messages a second, each saying how many arrived, and fetches what it shows.
import type { StoreChange } from '../store/event-store.js';
import type { Handlers, Update, Updates } from './contract.js';

export interface LiveUpdateOptions {
  /** Least time between two "events" messages (ms). */
  eventsIntervalMs?: number;
  /** Time between two "listener" messages (ms). */
  listenerIntervalMs?: number;
}

/** The store as live updates see it (structural: no dependency on the store module's class). */
export interface WatchedStore {
  watch(fn: (change: StoreChange) => void): () => void;
}

export class LiveUpdates {
  private readonly subscribers = new Set<(u: Update) => void>();
  private unwatch: (() => void) | undefined;
  private listenerTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private pending: Updates['events'] | undefined;
  private lastFlush = 0;

  constructor(
    private readonly store: WatchedStore,
    private readonly listenerStatus: Handlers['listenerStatus'],
    private readonly opts: LiveUpdateOptions = {},
  ) {}

  /** Starts delivering updates to `fn`; returns the unsubscribe. */
  subscribe(fn: (u: Update) => void): () => void {
    this.subscribers.add(fn);
    if (this.subscribers.size === 1) this.start();
    return () => {
      if (this.subscribers.delete(fn) && this.subscribers.size === 0) this.stop();
    };
  }

  /** Ends every subscription (station shutting down). */
  close(): void {
    this.subscribers.clear();
    this.stop();
  }

  private start(): void {
    this.unwatch = this.store.watch((c) => this.onChange(c));
    const every = this.opts.listenerIntervalMs ?? 1000;
    this.listenerTimer = setInterval(() => void this.sendListener(), every);
    this.listenerTimer.unref();
  }

  private stop(): void {
    this.unwatch?.();
    this.unwatch = undefined;
    clearInterval(this.listenerTimer);
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.pending = undefined;
  }

  private async sendListener(): Promise<void> {
    const data = await this.listenerStatus({});
    this.send({ topic: 'listener', data });
  }

  private onChange(c: StoreChange): void {
    const p = (this.pending ??= { stored: 0, deleted: 0, lastReceivedAt: null });
    p.stored += c.stored;
    p.deleted += c.deleted;
    if (c.lastReceivedAt !== null && (p.lastReceivedAt === null || c.lastReceivedAt > p.lastReceivedAt)) p.lastReceivedAt = c.lastReceivedAt;
    if (this.flushTimer) return;
    const gap = this.opts.eventsIntervalMs ?? 250;
    const wait = Math.max(0, this.lastFlush + gap - performance.now());
    this.flushTimer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const data = this.pending;
    this.pending = undefined;
    this.lastFlush = performance.now();
    if (data) this.send({ topic: 'events', data });
  }

  private send(u: Update): void {
    for (const fn of this.subscribers) {
      try {
        fn(u);
      } catch {
        // One broken subscriber (a closed connection) must not stop the others.
      }
    }
  }
}
