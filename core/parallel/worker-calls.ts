// Numbered calls to worker threads: `{id, ...message}` goes out, `{id, result}`
// or `{id, error}` comes back, and the caller gets a promise. With no workers
// (run from TypeScript sources, where no compiled worker script exists, or
// asked for none) each call runs in-process instead.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class WorkerCalls {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  /** `count` workers running the compiled script at `url`, or none when it is not there. */
  constructor(url: URL, count: number, options: WorkerOptions = {}) {
    const script = fileURLToPath(url);
    if (count <= 0 || !existsSync(script)) return;
    for (let i = 0; i < count; i++) {
      const w = new Worker(script, options);
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

  get threads(): number {
    return this.workers.length;
  }

  /** Sends `message` to the next worker in turn; with none, runs `here` instead. */
  call<T>(message: Record<string, unknown>, here: () => T): Promise<T> {
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

  /** Lets the process exit while the workers idle. */
  unref(): void {
    for (const w of this.workers) w.unref();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
