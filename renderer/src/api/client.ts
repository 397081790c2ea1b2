// The renderer's one way to the station (STYLE.md "One contract, many
// transports"): Electron's preload bridge when the page runs in the desktop
// app, the token-guarded HTTP bridge when it runs in a browser. Nothing else
// in the renderer knows which.
import type {
  ApiError,
  Args,
  DesktopBridge,
  DownloadArgs,
  DownloadName,
  OpName,
  Reply,
  Results,
  Update,
} from '../../../core/api/contract';

/** A failed call, carrying the station's `{code, message}`. */
export class ApiCallError extends Error {
  override name = 'ApiCallError';
  constructor(readonly code: ApiError['code'] | 'unreachable', message: string) {
    super(message);
  }
}

export interface ApiClient {
  call<K extends OpName>(op: K, args: Args<K>): Promise<Results[K]>;
  /** Starts a download of the export (browser: a file download; desktop: a save dialog). */
  download<K extends DownloadName>(name: K, args: DownloadArgs<K>): Promise<void>;
  subscribe(fn: (u: Update) => void): () => void;
  /** 'desktop' or 'browser', for wording only ("Save…" vs "Download"). */
  readonly kind: 'desktop' | 'browser';
}

function unwrap<T>(reply: Reply): T {
  if (reply.ok) return reply.result as T;
  throw new ApiCallError(reply.error.code, reply.error.message);
}

function desktopClient(bridge: DesktopBridge): ApiClient {
  return {
    kind: 'desktop',
    call: async (op, args) => unwrap(await bridge.invoke(op, args)),
    download: async (name, args) => {
      unwrap(await bridge.download(name, args));
    },
    subscribe: (fn) => bridge.subscribe(fn),
  };
}

function browserClient(base: string): ApiClient {
  const listeners = new Set<(u: Update) => void>();
  let source: EventSource | undefined;
  const topics: Array<Update['topic']> = ['events', 'listener'];
  return {
    kind: 'browser',
    call: async (op, args) => {
      let res: Response;
      try {
        // The token travels in the HttpOnly cookie the station set when the page was opened.
        res = await fetch(`${base}api/${op}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(args ?? {}),
          credentials: 'same-origin',
        });
      } catch (e) {
        throw new ApiCallError('unreachable', `the station does not answer (${(e as Error).message}); is tk serve still running?`);
      }
      if (res.status === 401) throw new ApiCallError('unreachable', 'the station no longer knows this page: open the ui: URL tk serve printed');
      if (!res.ok) throw new ApiCallError('internal', `${op}: HTTP ${res.status} ${await res.text()}`);
      return unwrap(await res.json());
    },
    download: async (name, args) => {
      const a = document.createElement('a');
      a.href = `${base}api/download/${name}?args=${encodeURIComponent(JSON.stringify(args ?? {}))}`;
      a.download = '';
      document.body.append(a);
      a.click();
      a.remove();
    },
    subscribe: (fn) => {
      listeners.add(fn);
      if (!source) {
        source = new EventSource(`${base}api/updates`);
        for (const topic of topics) {
          source.addEventListener(topic, (e) => {
            const u = { topic, data: JSON.parse((e as MessageEvent<string>).data) } as Update;
            for (const l of listeners) l(u);
          });
        }
      }
      return () => {
        listeners.delete(fn);
        if (listeners.size === 0) {
          source?.close();
          source = undefined;
        }
      };
    },
  };
}

declare global {
  interface Window {
    /** Present only inside the desktop app (Electron's preload). */
    tk?: DesktopBridge;
  }
}

/** The client for wherever this page runs. */
export function createClient(): ApiClient {
  if (window.tk) return desktopClient(window.tk);
  return browserClient('/');
}

export const api: ApiClient = createClient();
