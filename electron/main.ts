// The desktop app's main process (PRODUCT §2): opens the station's store, runs
// the gRPC listener and shows the renderer in a locked-down window. All the
// work is in core/; this file is glue, the one part of the product that needs
// the Electron binary (and so is type-checked here but run only where Electron
// can be downloaded).
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell, type MenuItemConstructorOptions } from 'electron';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { EventStore, StationRunningError } from '../core/store/event-store.js';
import { defaultDataDir } from '../core/store/data-dir.js';
import { SensorListener } from '../core/grpc/sensor-listener.js';
import { stationApp } from '../core/api/station-app.js';
import { isDownloadName } from '../core/api/contract.js';
import { UI_CSP } from '../core/http/http-bridge.js';
import { PACKAGE_ROOT } from '../core/package-root.js';
import { STATION_VERSION } from '../core/version.js';
import { APP_ORIGIN, checkSender } from './ipc-guard.js';

const UI_DIR = join(PACKAGE_ROOT, 'dist', 'renderer');
const GRPC_ADDRESS = process.env.TK_GRPC_ADDRESS ?? '127.0.0.1:50051';
const PRODUCT = 'TrapperKeeper Desktop';

protocol.registerSchemesAsPrivileged([{ scheme: 'tk', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) {
  // The data dir has one owner: a second copy hands over to the first and leaves.
  app.quit();
} else {
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  const dataDir = defaultDataDir();
  const log = (m: string) => process.stderr.write(`tk: ${m}\n`);
  let store: EventStore;
  try {
    store = await EventStore.open(dataDir, { log });
  } catch (e) {
    const why = e instanceof StationRunningError ? `${e.message}. Stop it (or close the other window) and start again.` : (e as Error).message;
    dialog.showErrorBox(PRODUCT, `Cannot open the data folder ${dataDir}:\n${why}`);
    app.exit(1);
    return;
  }
  let listener: SensorListener | undefined;
  try {
    listener = await SensorListener.start(store, { address: GRPC_ADDRESS, log });
  } catch (e) {
    // The trail stays readable without the listener; say why sensors cannot report.
    dialog.showErrorBox(PRODUCT, `Sensors cannot report to this station: cannot listen on ${GRPC_ADDRESS} (${(e as Error).message}).`);
  }
  const station = stationApp(store, listener);

  // The renderer's files, with the same CSP the HTTP bridge sends.
  protocol.handle('tk', async (request) => {
    const url = new URL(request.url);
    if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return new Response('not found', { status: 404 });
    let file = resolve(UI_DIR, '.' + decodeURIComponent(url.pathname));
    if (file !== UI_DIR && !file.startsWith(UI_DIR + sep)) return new Response('not found', { status: 404 });
    if (url.pathname === '/') file = join(UI_DIR, 'index.html');
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    if (file.endsWith('.html')) headers.set('content-security-policy', UI_CSP);
    return new Response(res.body, { status: res.status, headers });
  });
  // Nothing may be fetched from anywhere but the app itself (no remote content, ever).
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const ok = details.url.startsWith(`${APP_ORIGIN}/`) || details.url.startsWith('devtools://');
    callback({ cancel: !ok });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  // The one IPC entry point: sender checked, then the same dispatcher as the HTTP bridge.
  ipcMain.handle('tk:invoke', async (event, name: unknown, args: unknown) => {
    const verdict = checkSender(event.senderFrame);
    if (!verdict.ok) return { ok: false, error: { code: 'unknown_operation', message: `refused: ${verdict.reason}` } };
    if (typeof name !== 'string') return { ok: false, error: { code: 'invalid_input', message: 'operation name must be a string' } };
    if (isDownloadName(name)) return saveDownload(name, args);
    return station.dispatch(name, args);
  });
  const subscriptions = new Map<number, () => void>();
  ipcMain.on('tk:subscribe', (event) => {
    if (!checkSender(event.senderFrame).ok || subscriptions.has(event.sender.id)) return;
    const wc = event.sender;
    subscriptions.set(wc.id, station.subscribe((u) => (wc.isDestroyed() ? undefined : wc.send('tk:update', u))));
    wc.once('destroyed', () => {
      subscriptions.get(wc.id)?.();
      subscriptions.delete(wc.id);
    });
  });
  ipcMain.on('tk:unsubscribe', (event) => {
    subscriptions.get(event.sender.id)?.();
    subscriptions.delete(event.sender.id);
  });

  async function saveDownload(name: string, args: unknown) {
    const reply = station.download(name, args);
    if (!reply.ok) return reply;
    const { fileName, body } = reply.download;
    const choice = await dialog.showSaveDialog({ defaultPath: join(app.getPath('downloads'), fileName) });
    if (choice.canceled || !choice.filePath) {
      body.destroy();
      return { ok: true, result: null };
    }
    // Written beside the target and renamed when complete, as tk export does.
    const tmp = `${choice.filePath}.partial`;
    try {
      await pipeline(body, createWriteStream(tmp));
      renameSync(tmp, choice.filePath);
      return { ok: true, result: { path: choice.filePath } };
    } catch (e) {
      rmSync(tmp, { force: true });
      return { ok: false, error: { code: 'internal', message: `export failed: ${(e as Error).message}` } };
    }
  }

  Menu.setApplicationMenu(Menu.buildFromTemplate(menu(dataDir, listener?.address)));
  const win = openWindow();
  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  let stopping = false;
  app.on('before-quit', (e) => {
    if (stopping) return;
    // Calls in flight finish and their lines are durable before the store closes.
    e.preventDefault();
    stopping = true;
    void (async () => {
      await station.close();
      await listener?.stop();
      await store.close();
      app.exit(0);
    })();
  });
  app.on('window-all-closed', () => app.quit());
}

function openWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: PRODUCT,
    show: false,
    webPreferences: {
      preload: join(PACKAGE_ROOT, 'dist', 'electron', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  // The window shows the app and nothing else: no navigation away, no new windows.
  win.webContents.on('will-navigate', (e, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) e.preventDefault();
  });
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/`);
  return win;
}

function menu(dataDir: string, grpcAddress: string | undefined): MenuItemConstructorOptions[] {
  const about = () =>
    void dialog.showMessageBox({
      type: 'info',
      title: `About ${PRODUCT}`,
      message: `${PRODUCT} ${STATION_VERSION}`,
      detail: `Data folder: ${dataDir}\nSensors report to: ${grpcAddress ?? 'not listening'}\nElectron ${process.versions.electron}, Node ${process.versions.node}`,
    });
  return [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Data Folder', click: () => void shell.openPath(dataDir) },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: `About ${PRODUCT}`, click: about }] },
  ];
}
