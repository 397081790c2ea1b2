// Starts a real `tk serve` process on loopback and reads its ready line.
import { spawn, type ChildProcess } from 'node:child_process';
import { TK } from './tk-process.js';

export interface RunningStation {
  grpc: string;
  /** The ready-to-open UI URL (with its token), when the HTTP bridge runs. */
  ui: string | undefined;
  process: ChildProcess;
  /** Everything the station wrote to stderr so far. */
  stderr: () => string;
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>;
}

export function startServe(dataDir: string, extra: string[] = []): Promise<RunningStation> {
  const http = extra.includes('--no-http') || extra.includes('--http') ? [] : ['--http', '127.0.0.1:0'];
  const child = spawn(process.execPath, [TK, 'serve', '--grpc', '127.0.0.1:0', '--data-dir', dataDir, ...http, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tk serve printed no ready line: ${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^grpc: (\S+)$/m.exec(out);
      const ui = /^ui: (\S+)$/m.exec(out);
      if (m && (ui || http.length === 0)) {
        clearTimeout(timer);
        resolve({
          grpc: m[1]!,
          ui: ui?.[1],
          process: child,
          stderr: () => err,
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tk serve exited with ${code}: ${err}`));
    });
  });
}
