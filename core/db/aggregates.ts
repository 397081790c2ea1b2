// The index queries that scan many rows, run on a thread of their own
// (aggregate-worker.ts) when the compiled worker is there, else in-process.
import { WorkerCalls } from '../parallel/worker-calls.js';
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
  private constructor(
    private readonly calls: WorkerCalls,
    private readonly local: EventIndex,
  ) {}

  /** A thread reading the index at `path` (read-only); in-process on `fallback` when there is no compiled worker. */
  static start(path: string, fallback: EventIndex): AggregateThread {
    const calls = new WorkerCalls(new URL('./aggregate-worker.js', import.meta.url), 1, { workerData: { path } });
    calls.unref();
    return new AggregateThread(calls, fallback);
  }

  /** Runs the queries on this thread, on `index` (no worker). */
  static inProcess(index: EventIndex): AggregateThread {
    return new AggregateThread(new WorkerCalls(new URL('./aggregate-worker.js', import.meta.url), 0), index);
  }

  run<K extends AggregateOp>(op: K, ...args: unknown[]): Promise<AggregateResults[K]> {
    return this.calls.call({ op, args }, () => aggregate(this.local, op, args) as AggregateResults[K]);
  }

  close(): Promise<void> {
    return this.calls.close();
  }
}
