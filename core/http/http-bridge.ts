// The HTTP bridge of `tk serve` (PRODUCT §4 "HTTP bridge"): the built UI, the
// app API at POST /api/<operation>, downloads at GET /api/download/<name> and
// live updates as server-sent events at GET /api/updates.
//
// A random token per launch guards every request (given once in the ready
// line's URL, then kept in an HttpOnly SameSite=Strict cookie); requests
// naming a foreign Host (DNS rebinding) or coming from a foreign Origin
// (cross-site) are refused; no CORS headers are sent. Request logs carry the
// path only, never the query, so never the token.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { Dispatch, DispatchDownload } from '../api/dispatcher.js';
import type { Update } from '../api/contract.js';

const MAX_BODY_BYTES = 1024 * 1024;
const COOKIE = 'tk_token';
const HEARTBEAT_MS = 15_000;

/**
 * The UI's content security policy: only this station's own scripts, styles
 * and API; nothing inline, nothing framed, no plugins.
 */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

export interface BridgeOptions {
  /** HOST:PORT; port 0 picks a free one. */
  address: string;
  dispatch: Dispatch;
  download?: DispatchDownload<Readable>;
  /** Live updates: each subscriber gets every update until it unsubscribes. */
  subscribe?: (fn: (u: Update) => void) => () => void;
  /** The built renderer (index.html and assets); absent: a page says how to build it. */
  uiDir?: string;
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

const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

type Done = (status: number, body: string, type?: string, headers?: Record<string, string>) => void;

export class HttpBridge {
  private constructor(
    private readonly server: Server,
    /** The bound address, with the real port. */
    readonly address: string,
    private readonly token: string,
    private readonly closing: () => void,
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
    const uiDir = opts.uiDir && existsSync(join(opts.uiDir, 'index.html')) ? resolve(opts.uiDir) : undefined;
    const streams = new Set<ServerResponse>();

    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      const done: Done = (status, body, type = 'text/plain; charset=utf-8', headers = {}) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...BASE_HEADERS, ...headers });
        res.end(body);
        log(`${req.method} ${path} ${status}`);
      };
      void handle(req, res, path, done).catch((e: Error) => {
        if (!res.headersSent) done(500, `internal error: ${e.message}`);
        else res.destroy(e);
      });
    });

    const handle = async (req: IncomingMessage, res: ServerResponse, path: string, done: Done) => {
      if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) return done(403, 'refused: the Host header does not name this station');
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedHosts.has(origin.replace(/^http:\/\//, '').toLowerCase())) {
        return done(403, 'refused: requests from other origins are not allowed');
      }
      const url = new URL(req.url ?? '/', 'http://station');
      if (req.method === 'GET' && path === '/' && url.searchParams.has('token')) {
        if (!sameSecret(url.searchParams.get('token') ?? undefined, token)) return done(401, 'wrong token: open the URL tk serve printed');
        // The cookie takes over; the redirect drops the token from the address bar and history.
        url.searchParams.delete('token');
        return done(303, '', 'text/plain', { location: '/' + url.search, 'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` });
      }
      const presented = (req.headers['x-tk-token'] as string | undefined) ?? cookieToken(req);
      if (!sameSecret(presented, token)) {
        return done(401, 'This station needs its access token: open the ui: URL that tk serve printed (it carries the token).');
      }
      if (path === '/api/updates') return serveUpdates(req, res, path);
      if (path.startsWith('/api/download/')) return serveDownload(req, res, path, url, done);
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
      if (req.method !== 'GET' && req.method !== 'HEAD') return done(405, 'use GET', 'text/plain', { allow: 'GET' });
      return serveUi(req, res, path, done);
    };

    const serveUi = (req: IncomingMessage, res: ServerResponse, path: string, done: Done) => {
      if (!uiDir) {
        return done(200, 'TrapperKeeper Desktop station: the UI is not built here (run npm run build); the API is at POST /api/<operation>.');
      }
      let file = resolve(uiDir, '.' + decodeURIComponent(path));
      if (file !== uiDir && !file.startsWith(uiDir + sep)) return done(404, 'not found');
      // Paths without a file extension are the app's own routes: the app handles them.
      if (path === '/' || (extname(file) === '' && !existsSync(file))) file = join(uiDir, 'index.html');
      if (!existsSync(file) || !statSync(file).isFile()) return done(404, 'not found');
      const isHtml = file.endsWith('.html');
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        // Built assets carry a content hash in their names; the page itself must always be fresh.
        'cache-control': isHtml ? 'no-store' : 'private, max-age=31536000, immutable',
        ...BASE_HEADERS,
        ...(isHtml ? { 'content-security-policy': UI_CSP } : {}),
      });
      log(`${req.method} ${path} 200`);
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    };

    const serveUpdates = (req: IncomingMessage, res: ServerResponse, path: string) => {
      if (!opts.subscribe) return void res.writeHead(404).end('no live updates here');
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', ...BASE_HEADERS });
      res.write('retry: 2000\n\n');
      log(`${req.method} ${path} 200 (stream)`);
      streams.add(res);
      const unsubscribe = opts.subscribe((u) => res.write(`event: ${u.topic}\ndata: ${JSON.stringify(u.data)}\n\n`));
      const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      beat.unref();
      res.on('close', () => {
        clearInterval(beat);
        unsubscribe();
        streams.delete(res);
      });
    };

    const serveDownload = (req: IncomingMessage, res: ServerResponse, path: string, url: URL, done: Done) => {
      if (!opts.download) return done(404, 'no downloads here');
      if (req.method !== 'GET') return done(405, 'use GET', 'text/plain', { allow: 'GET' });
      let args: unknown;
      try {
        args = JSON.parse(url.searchParams.get('args') ?? '{}');
      } catch (e) {
        return done(400, `args is not JSON: ${(e as Error).message}`);
      }
      const reply = opts.download(decodeURIComponent(path.slice('/api/download/'.length)), args);
      if (!reply.ok) return done(reply.error.code === 'unknown_operation' ? 404 : 400, JSON.stringify(reply), 'application/json');
      const { fileName, contentType, body } = reply.download;
      res.writeHead(200, {
        'content-type': contentType,
        'content-disposition': `attachment; filename="${fileName.replace(/["\\\r\n]/g, '_')}"`,
        'cache-control': 'no-store',
        ...BASE_HEADERS,
      });
      log(`${req.method} ${path} 200 (download)`);
      body.on('error', (e) => {
        // Headers are gone: cut the connection so the browser reports a failed download, not a short file.
        log(`${req.method} ${path} failed: ${e.message}`);
        res.destroy(e);
      });
      body.pipe(res);
    };

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(m[2]), host, () => resolve());
    });
    const port = (server.address() as { port: number }).port;
    const shown = host.includes(':') ? `[${host}]` : host;
    allowedHosts = new Set([`${shown}:${port}`.toLowerCase()]);
    if (isLoopbackHost(host)) for (const h of ['localhost', '127.0.0.1', '[::1]']) allowedHosts.add(`${h}:${port}`);
    return new HttpBridge(server, `${shown}:${port}`, token, () => {
      for (const s of streams) s.end();
    });
  }

  async stop(): Promise<void> {
    this.closing();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
