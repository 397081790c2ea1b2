// Reading lines is most of the CPU of an import (parse, validate, re-encode),
// of a reindex (find the payload, hash it) and of gRPC ingest (decode,
// prepare): a pool of worker threads does it while the main thread writes and
// indexes, so both cores work. Results come back per batch, in whatever order
// the caller awaits them.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { judgeBatch, type LineVerdict } from '../domain/imported-line.js';
import { indexFactsOfBatch, type IndexFacts } from '../domain/line-fields.js';
import { factsOfBlocks, type BlockFacts } from '../store/block-facts.js';
import type { GzBlock } from '../store/blocked-gzip.js';
import { prepareCall, type ArrivalFacts } from '../ingest/ingest-task.js';
import type { PreparedBatch } from '../ingest/report-events.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class LinePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  private constructor(size: number) {
    const script = fileURLToPath(new URL('./line-worker.js', import.meta.url));
    // Run from TypeScript sources (unit tests) there is no compiled worker: work in-process.
    if (size <= 0 || !existsSync(script)) return;
    for (let i = 0; i < size; i++) {
      const w = new Worker(script);
      w.on('message', (m: { id: number; result?: unknown; error?: string }) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.result);
      });
      w.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      this.workers.push(w);
    }
  }

  /** `TK_WORKERS` overrides the size (0: everything on the main thread). */
  static create(size = Number(process.env.TK_WORKERS ?? Math.max(1, availableParallelism()))): LinePool {
    return new LinePool(size);
  }

  get threads(): number {
    return this.workers.length;
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
    if (this.workers.length === 0) {
      try {
        return Promise.resolve(here());
      } catch (e) {
        return Promise.reject(e as Error);
      }
    }
    const id = this.next++;
    const worker = this.workers[id % this.workers.length]!;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, ...message });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
