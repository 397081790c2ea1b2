// The data directory layout (PRODUCT §3 "Files").
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_FOLDER_NAME = 'TrapperKeeper Desktop';

/**
 * The platform's app-data folder, the same for the desktop app and the CLI:
 * Electron's `appData` (Linux `$XDG_CONFIG_HOME` or `~/.config`, macOS
 * `~/Library/Application Support`, Windows `%APPDATA%`) plus the app's name.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.TK_DATA_DIR) return env.TK_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_FOLDER_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_FOLDER_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_FOLDER_NAME);
}

export const DAY_PATTERN = /^(\d{4}-\d{2}-\d{2})\.jsonl(\.gz)?$/;

export class DataDir {
  constructor(readonly root: string) {}

  get eventsDir(): string {
    return join(this.root, 'events');
  }
  /** Temporary files of rotation and import; never read as data. */
  get processingDir(): string {
    return join(this.eventsDir, '.processing');
  }
  /** Torn tails cut off at recovery, kept for a person to look at. */
  get quarantineDir(): string {
    return join(this.root, 'quarantine');
  }
  get indexPath(): string {
    return join(this.root, 'trapperkeeper.db');
  }
  get stationPath(): string {
    return join(this.root, 'station.db');
  }
  get lockPath(): string {
    return join(this.root, 'station.lock');
  }
  plainDayPath(day: string): string {
    return join(this.eventsDir, `${day}.jsonl`);
  }
  gzDayPath(day: string): string {
    return join(this.eventsDir, `${day}.jsonl.gz`);
  }
  dayPath(day: string, compressed: boolean): string {
    return compressed ? this.gzDayPath(day) : this.plainDayPath(day);
  }
}
