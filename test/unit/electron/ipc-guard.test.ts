// The IPC sender check of the desktop app's main process. STAND-IN: the frames
// here are plain objects shaped like Electron's WebFrameMain (url, parent),
// because the Electron binary cannot run on our machines; this is the one
// place the project uses a stand-in for Electron.
import { describe, expect, it } from 'vitest';
import { checkSender, type SenderFrame } from '../../../electron/ipc-guard.js';

const frame = (url: string, parent: SenderFrame | null = null): SenderFrame => ({ url, parent });

describe('IPC sender check (stand-in frames, labelled: no Electron binary here)', () => {
  it("accepts the app's own page in the top frame, on any of its routes", () => {
    expect(checkSender(frame('tk://app/'))).toEqual({ ok: true });
    expect(checkSender(frame('tk://app/index.html?sensor=pump-1#detail'))).toEqual({ ok: true });
  });

  it('refuses a page that navigated elsewhere, a look-alike host, and file: or http: pages', () => {
    for (const url of ['https://evil.example/', 'tk://app.evil/', 'tk://apps/', 'file:///work/main/dist/renderer/index.html', 'http://127.0.0.1:8080/', 'devtools://devtools/']) {
      const v = checkSender(frame(url));
      expect(v.ok, url).toBe(false);
    }
  });

  it('refuses an iframe, even one showing the app', () => {
    expect(checkSender(frame('tk://app/', frame('tk://app/')))).toEqual({ ok: false, reason: 'only the top frame may call the station' });
  });

  it('refuses when the frame is gone or its address is not a URL', () => {
    expect(checkSender(null)).toEqual({ ok: false, reason: 'the sending frame is gone' });
    expect(checkSender(frame('not a url')).ok).toBe(false);
  });
});
