// The check every IPC message passes before it reaches the dispatcher (STYLE.md,
// after VS Code's main process): it must come from the app's own page, in the
// window's top frame. A page that navigated elsewhere, or an iframe inside it,
// gets nothing. Written against the few fields it reads, so it can be tested
// without the Electron binary.

/** The app's pages are served from here (see main.ts: the tk:// protocol). */
export const APP_ORIGIN = 'tk://app';

/** What the guard reads of Electron's WebFrameMain. */
export interface SenderFrame {
  readonly url: string;
  readonly parent: SenderFrame | null;
}

export type SenderVerdict = { ok: true } | { ok: false; reason: string };

export function checkSender(frame: SenderFrame | null | undefined): SenderVerdict {
  if (!frame) return { ok: false, reason: 'the sending frame is gone' };
  if (frame.parent !== null) return { ok: false, reason: 'only the top frame may call the station' };
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return { ok: false, reason: `the sender's address is not a URL` };
  }
  // A custom standard scheme: URL gives origin "null", so compare protocol and host.
  if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return { ok: false, reason: `${url.protocol}//${url.host} is not the app` };
  return { ok: true };
}
