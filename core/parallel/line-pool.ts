// Reading lines is most of the CPU of an import (parse, validate, re-encode),
// of a reindex (find the payload, hash it) and of gRPC ingest (decode,
// prepare): a pool of worker threads does it while the main thread writes and
// indexes, so both cores work. Results come back per batch, in whatever order
// the caller awaits them.
import { availableParallelism } from 'node:os';
import { judgeBatch, type LineVerdict } from '../domain/imported-line.js';
import { indexFactsOfBatch, type IndexFacts } from '../domain/line-fields.js';
import { factsOfBlocks, type BlockFacts } from '../store/block-facts.js';
import type { GzBlock } from '../store/blocked-gzip.js';
import { prepareCall, type ArrivalFacts } from '../ingest/ingest-task.js';
import type { PreparedBatch } from '../ingest/report-events.js';
import { WorkerCalls } from './worker-calls.js';

export class LinePool {
  private constructor(private readonly calls: WorkerCalls) {}

  /** `TK_WORKERS` overrides the size (0: everything on the main thread). */
  static create(size = Number(process.env.TK_WORKERS ?? Math.max(1, availableParallelism()))): LinePool {
    // Run from TypeScript sources (unit tests) there is no compiled worker: work in-process.
    return new LinePool(new WorkerCalls(new URL('./line-worker.js', import.meta.url), size));
  }

  get threads(): number {
    return this.calls.threads;
  }

  /** Judges imported lines: `buf` holds them back to back, `ends[i]` is where line i ends. */
  judge(buf: Uint8Array, ends: Uint32Array): Promise<LineVerdict[]> {
    return this.run({ task: 'judge', buf, ends }, () => judgeBatch(buf, ends));
  }

  /** Reads the index facts of stored lines, laid out as for judge(). */
  facts(buf: Uint8Array, ends: Uint32Array): Promise<IndexFacts[]> {
    return this.run({ task: 'facts', buf, ends }, () => indexFactsOfBatch(buf, ends));
  }

  /** Decodes one ReportEvents call and prepares its events' lines. */
  ingest(bytes: Uint8Array, arrival: ArrivalFacts): Promise<PreparedBatch> {
    return this.run({ task: 'ingest', bytes, arrival }, () => prepareCall(bytes, arrival));
  }

  /** Reads, inflates and reads the index facts of some members of a gzip day file. */
  blockFacts(path: string, blocks: GzBlock[]): Promise<BlockFacts> {
    return this.run({ task: 'blocks', path, blocks }, () => factsOfBlocks(path, blocks));
  }

  private run<T>(message: Record<string, unknown>, here: () => T): Promise<T> {
    return this.calls.call(message, here);
  }

  close(): Promise<void> {
    return this.calls.close();
  }
}
