// `tk serve --open`: hands the UI URL to the desktop's default browser.
import { spawn } from 'node:child_process';

export function openInBrowser(url: string, log: (m: string) => void): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] :
    process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]] :
    ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    // The URL carries the token: say what failed, never the URL.
    child.on('error', (e) => log(`could not open a browser (${cmd}: ${e.message}); open the ui: URL yourself`));
    child.unref();
  } catch (e) {
    log(`could not open a browser (${(e as Error).message}); open the ui: URL yourself`);
  }
}
