// A worker thread of the line pool: judges imported lines, or reads index
// facts of stored lines, off the main thread.
import { parentPort } from 'node:worker_threads';
import { judgeBatch } from '../domain/imported-line.js';
import { indexFactsOfBatch } from '../domain/line-fields.js';
import { factsOfBlocks } from '../store/block-facts.js';
import type { GzBlock } from '../store/blocked-gzip.js';
import { prepareCall, type ArrivalFacts } from '../ingest/ingest-task.js';

type Message =
  | { id: number; task: 'judge' | 'facts'; buf: Uint8Array; ends: Uint32Array }
  | { id: number; task: 'blocks'; path: string; blocks: GzBlock[] }
  | { id: number; task: 'ingest'; bytes: Uint8Array; arrival: ArrivalFacts };

parentPort!.on('message', (msg: Message) => {
  let result: unknown;
  try {
    if (msg.task === 'blocks') result = factsOfBlocks(msg.path, msg.blocks);
    else if (msg.task === 'ingest') result = prepareCall(msg.bytes, msg.arrival);
    else result = msg.task === 'judge' ? judgeBatch(msg.buf, msg.ends) : indexFactsOfBatch(msg.buf, msg.ends);
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).message });
    return;
  }
  parentPort!.postMessage({ id: msg.id, result });
});
