// A worker thread of the line pool: judges imported lines, or reads index
// facts of stored lines, off the main thread.
import { parentPort } from 'node:worker_threads';
import { judgeBatch } from '../domain/imported-line.js';
import { indexFactsOfBatch } from '../domain/line-fields.js';

parentPort!.on('message', (msg: { id: number; task: 'judge' | 'facts'; buf: Uint8Array; ends: Uint32Array }) => {
  const result = msg.task === 'judge' ? judgeBatch(msg.buf, msg.ends) : indexFactsOfBatch(msg.buf, msg.ends);
  parentPort!.postMessage({ id: msg.id, result });
});
