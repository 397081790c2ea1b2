// The index queries that scan many rows, run on a thread of their own
// (aggregate-worker.ts) when the compiled worker is there, else in-process.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { EventIndex, type EventFilter, type Facets, type IndexAudit, type IndexStats } from './event-index.js';

export interface AggregateResults {
  histogram: Array<[number, number]>;
  range: { first: string; last: string } | null;
  facets: Facets;
  audit: IndexAudit;
  stats: IndexStats;
  count: number;
}
export type AggregateOp = keyof AggregateResults;

export function aggregate(index: EventIndex, op: AggregateOp, args: unknown[]): unknown {
  switch (op) {
    case 'histogram':
      return index.histogram(args[0] as EventFilter, args[1] as number, args[2] as number);
    case 'range':
      return index.range(args[0] as EventFilter);
    case 'facets':
      return index.facets(args[0] as number);
    case 'audit':
      return index.audit(args[0] as EventFilter);
    case 'stats':
      return index.stats();
    case 'count':
      return index.count(args[0] as EventFilter);
  }
}

export class AggregateThread {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly worker: Worker | undefined,
    private readonly local: EventIndex | undefined,
  ) {}

  /** A thread reading the index at `path` (read-only); in-process on `fallback` when there is no compiled worker. */
  static start(path: string, fallback: EventIndex): AggregateThread {
    const script = fileURLToPath(new URL('./aggregate-worker.js', import.meta.url));
    if (!existsSync(script)) return new AggregateThread(undefined, fallback);
    const worker = new Worker(script, { workerData: { path } });
    const t = new AggregateThread(worker, undefined);
    worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const p = t.pending.get(m.id);
      t.pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.result);
    });
    worker.on('error', (e) => {
      for (const p of t.pending.values()) p.reject(e);
      t.pending.clear();
    });
    worker.unref();
    return t;
  }

  /** Runs the queries on this thread, on `index` (no worker). */
  static inProcess(index: EventIndex): AggregateThread {
    return new AggregateThread(undefined, index);
  }

  run<K extends AggregateOp>(op: K, ...args: unknown[]): Promise<AggregateResults[K]> {
    if (!this.worker) {
      try {
        return Promise.resolve(aggregate(this.local!, op, args) as AggregateResults[K]);
      } catch (e) {
        return Promise.reject(e as Error);
      }
    }
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker!.postMessage({ id, op, args });
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}
