// The app API of a running station, ready for a transport: the one
// dispatcher, downloads and live updates over its store and listener, with
// scans of many rows on an aggregate thread. `tk serve` puts it behind the
// HTTP bridge, the desktop app behind IPC; both stop it the same way.
import type { Readable } from 'node:stream';
import type { EventStore } from '../store/event-store.js';
import { AggregateThread } from '../db/aggregates.js';
import { createDispatcher, createDownloader, type Dispatch, type DispatchDownload } from './dispatcher.js';
import { LiveUpdates } from './live-updates.js';
import { storeDownloads, storeHandlers, type ListenerView } from './store-handlers.js';
import type { Update } from './contract.js';

export interface StationApp {
  dispatch: Dispatch;
  download: DispatchDownload<Readable>;
  subscribe(fn: (u: Update) => void): () => void;
  /** Ends live updates and the aggregate thread (before the listener and store are stopped). */
  close(): Promise<void>;
}

export function stationApp(store: EventStore, listener?: ListenerView): StationApp {
  const aggregates = AggregateThread.start(store.dir.indexPath, store.reader.index);
  const handlers = storeHandlers(store, listener, aggregates);
  const updates = new LiveUpdates(store, handlers.listenerStatus);
  return {
    dispatch: createDispatcher(handlers),
    download: createDownloader(storeDownloads(store)),
    subscribe: (fn) => updates.subscribe(fn),
    close: async () => {
      updates.close();
      await aggregates.close();
    },
  };
}
