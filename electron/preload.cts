// The preload (sandboxed, context-isolated): puts `window.tk` in the page with
// exactly three functions, for names in the app API contract only. A sandboxed
// preload can load no modules but electron's, so the names are listed here and
// checked against core/api/operations.ts when this file compiles.
import electron = require('electron');
import type { IpcRendererEvent } from 'electron';
import type { DesktopBridge, DownloadName, OpName, Reply, Update } from '../core/api/contract.js';

const OPS = ['listEvents', 'getEvent', 'countEvents', 'histogram', 'stats', 'facets', 'diskFacts', 'deleteEvent', 'auditSummary', 'listenerStatus', 'timeline', 'ruleVersions', 'ruleDiff'] as const;
const DOWNLOADS = ['exportEvents'] as const;

// Compile-time: these lists are exactly the contract's names (a missing or extra one fails the build).
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const opsMatch: Exactly<(typeof OPS)[number], OpName> = true;
const downloadsMatch: Exactly<(typeof DOWNLOADS)[number], DownloadName> = true;
void opsMatch;
void downloadsMatch;

const ops: ReadonlySet<string> = new Set(OPS);
const downloads: ReadonlySet<string> = new Set(DOWNLOADS);
const refused = (what: string): Reply<never> => ({ ok: false, error: { code: 'unknown_operation', message: `no operation ${JSON.stringify(what)}` } });

const { contextBridge, ipcRenderer } = electron;

const listeners = new Set<(u: Update) => void>();
ipcRenderer.on('tk:update', (_e: IpcRendererEvent, u: Update) => {
  for (const fn of listeners) fn(u);
});

const bridge: DesktopBridge = {
  invoke: (op, args) => (ops.has(op) ? ipcRenderer.invoke('tk:invoke', op, args) : Promise.resolve(refused(op))),
  download: (name, args) => (downloads.has(name) ? ipcRenderer.invoke('tk:invoke', name, args) : Promise.resolve(refused(name))),
  subscribe: (fn) => {
    listeners.add(fn);
    if (listeners.size === 1) ipcRenderer.send('tk:subscribe');
    return () => {
      listeners.delete(fn);
      if (listeners.size === 0) ipcRenderer.send('tk:unsubscribe');
    };
  },
};

contextBridge.exposeInMainWorld('tk', bridge);
