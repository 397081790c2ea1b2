// Worker thread of the import pool: judges batches of lines off the main thread.
import { parentPort } from 'node:worker_threads';
import { judgeBatch } from './line-codec.js';

parentPort!.on('message', (msg: { id: number; buf: Uint8Array; ends: Uint32Array }) => {
  parentPort!.postMessage({ id: msg.id, verdicts: judgeBatch(msg.buf, msg.ends) });
});
