// A worker thread with its own read-only connection to the event index, for
// the queries that scan many rows (timeline, facets, audit, stats, counts).
// SQLite in WAL mode lets it read while the main thread writes, and the main
// thread's event loop — gRPC calls, page requests — no longer waits behind a
// one-second scan of a million rows.
import { parentPort, workerData } from 'node:worker_threads';
import { EventIndex } from './event-index.js';
import { aggregate, type AggregateOp } from './aggregates.js';

const index = EventIndex.open((workerData as { path: string }).path, { readonly: true });

parentPort!.on('message', (msg: { id: number; op: AggregateOp; args: unknown[] }) => {
  try {
    parentPort!.postMessage({ id: msg.id, result: aggregate(index, msg.op, msg.args) });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).message });
  }
});
