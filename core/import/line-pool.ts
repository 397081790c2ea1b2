// Parsing, validating and re-encoding lines is most of an import's CPU; a pool
// of worker threads does it while the main thread writes and indexes, so both
// cores work. Results come back in submission order.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { judgeBatch, type LineVerdict } from './line-codec.js';

interface Pending {
  resolve: (v: LineVerdict[]) => void;
  reject: (e: Error) => void;
}

export class LinePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  private constructor(size: number) {
    const script = fileURLToPath(new URL('./line-worker.js', import.meta.url));
    // Run from TypeScript sources (unit tests) there is no compiled worker: judge in-process.
    if (!existsSync(script)) return;
    for (let i = 0; i < size; i++) {
      const w = new Worker(script);
      w.on('message', (m: { id: number; verdicts: LineVerdict[] }) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m.verdicts);
      });
      w.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      this.workers.push(w);
    }
  }

  /** `TK_WORKERS` overrides the size (0: judge on the main thread). */
  static create(size = Number(process.env.TK_WORKERS ?? Math.max(1, availableParallelism()))): LinePool {
    return new LinePool(size);
  }

  get threads(): number {
    return this.workers.length;
  }

  judge(buf: Uint8Array, ends: Uint32Array): Promise<LineVerdict[]> {
    if (this.workers.length === 0) return Promise.resolve(judgeBatch(buf, ends));
    const id = this.next++;
    const worker = this.workers[id % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, buf, ends });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
