// Store ownership (PRODUCT §4): one process at a time writes a data dir. The
// owner holds `station.lock`, created exclusively and naming its pid. A lock
// whose pid no longer runs is stale and is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';

export class StationRunningError extends Error {
  override name = 'StationRunningError';
  constructor(readonly pid: number) {
    super(`station running (pid ${pid})`);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLockPid(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The pid of a live owner of the lock, or null when nobody owns it. */
export function currentOwner(path: string): number | null {
  const pid = readLockPid(path);
  return pid !== null && pid !== process.pid && pidAlive(pid) ? pid : null;
}

export class StoreLock {
  private constructor(private readonly path: string) {}

  static acquire(path: string): StoreLock {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, `${process.pid}\n`);
        fsyncSync(fd);
        closeSync(fd);
        return new StoreLock(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = readLockPid(path);
        if (pid !== null && pid !== process.pid && pidAlive(pid)) throw new StationRunningError(pid);
        // Stale (crashed owner) or unreadable half-written lock: remove and retry.
        try {
          unlinkSync(path);
        } catch {
          /* another process removed it first */
        }
      }
    }
    throw new Error(`could not take the store lock ${path}`);
  }

  release(): void {
    try {
      if (readLockPid(this.path) === process.pid) unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }
}
