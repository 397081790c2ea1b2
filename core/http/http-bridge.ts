// The HTTP bridge of `tk serve` (PRODUCT §4 "HTTP bridge"): the app API at
// POST /api/<operation>, for the UI in any browser. A random token per launch
// guards every call (given once in the ready line's URL, then kept in an
// HttpOnly cookie); requests naming a foreign Host (DNS rebinding) or coming
// from a foreign Origin (cross-site) are refused; no CORS headers are sent.
// Request logs carry the path only, never the query, so never the token.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Dispatch } from '../api/dispatcher.js';

const MAX_BODY_BYTES = 1024 * 1024;
const COOKIE = 'tk_token';

export interface BridgeOptions {
  /** HOST:PORT; port 0 picks a free one. */
  address: string;
  dispatch: Dispatch;
  log?: (line: string) => void;
}

function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export class HttpBridge {
  private constructor(
    private readonly server: Server,
    /** The bound address, with the real port. */
    readonly address: string,
    private readonly token: string,
  ) {}

  /** The ready-to-open URL (carries the token: show it to the user, never log it). */
  get url(): string {
    return `http://${this.address}/?token=${this.token}`;
  }

  static async start(opts: BridgeOptions): Promise<HttpBridge> {
    const m = /^(.+):(\d+)$/.exec(opts.address);
    if (!m) throw new Error(`HTTP address must be HOST:PORT, got ${JSON.stringify(opts.address)}`);
    const host = m[1]!.replace(/^\[|\]$/g, '');
    const token = randomBytes(24).toString('base64url');
    const log = opts.log ?? (() => {});
    let allowedHosts = new Set<string>();

    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      const done = (status: number, body: string, type = 'text/plain; charset=utf-8', headers: Record<string, string> = {}) => {
        res.writeHead(status, {
          'content-type': type,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          ...headers,
        });
        res.end(body);
        log(`${req.method} ${path} ${status}`);
      };
      void handle(req, res, path, done).catch((e: Error) => done(500, `internal error: ${e.message}`));
    });

    const handle = async (
      req: IncomingMessage,
      _res: ServerResponse,
      path: string,
      done: (status: number, body: string, type?: string, headers?: Record<string, string>) => void,
    ) => {
      if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) return done(403, 'refused: the Host header does not name this station');
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedHosts.has(origin.replace(/^http:\/\//, '').toLowerCase())) {
        return done(403, 'refused: requests from other origins are not allowed');
      }
      const url = new URL(req.url ?? '/', 'http://station');
      if (req.method === 'GET' && path === '/' && url.searchParams.has('token')) {
        if (!sameSecret(url.searchParams.get('token') ?? undefined, token)) return done(401, 'wrong token: open the URL tk serve printed');
        // The cookie takes over; the redirect drops the token from the address bar and history.
        return done(303, '', 'text/plain', { location: '/', 'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` });
      }
      const presented = (req.headers['x-tk-token'] as string | undefined) ?? cookieToken(req);
      if (!sameSecret(presented, token)) return done(401, 'a token is required: open the URL tk serve printed');
      if (path.startsWith('/api/')) {
        if (req.method !== 'POST') return done(405, 'use POST', 'text/plain', { allow: 'POST' });
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return done(415, 'send application/json');
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const c of req as AsyncIterable<Buffer>) {
          size += c.length;
          if (size > MAX_BODY_BYTES) return done(413, `request body over ${MAX_BODY_BYTES} bytes`);
          chunks.push(c);
        }
        let args: unknown;
        try {
          args = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        } catch (e) {
          return done(400, `body is not JSON: ${(e as Error).message}`);
        }
        const reply = await opts.dispatch(decodeURIComponent(path.slice('/api/'.length)), args);
        return done(200, JSON.stringify(reply), 'application/json');
      }
      if (req.method === 'GET' && path === '/') return done(200, 'TrapperKeeper Desktop station: the API is at POST /api/<operation>.');
      return done(404, 'not found');
    };

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(m[2]), host, () => resolve());
    });
    const port = (server.address() as { port: number }).port;
    const shown = host.includes(':') ? `[${host}]` : host;
    allowedHosts = new Set([`${shown}:${port}`.toLowerCase()]);
    if (isLoopbackHost(host)) for (const h of ['localhost', '127.0.0.1', '[::1]']) allowedHosts.add(`${h}:${port}`);
    return new HttpBridge(server, `${shown}:${port}`, token);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
