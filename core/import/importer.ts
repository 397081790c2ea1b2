// `tk import` (issue "station core" §5): stored lines from another station,
// JSONL or .jsonl.gz, kept as they were (ids, timestamps, `$tk` evidence), filed
// by their server_received_at day. Every line gets a verdict; a bad line never
// stops the rest of the file, and nothing half-written is left behind.
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import { encodeEvent, encodePayload, LineError, MAX_LINE_BYTES, validateStoredLine, type EncodedEvent } from '../domain/event-line.js';
import type { AppendOutcome, EventStore } from '../store/event-store.js';

export const IMPORT_BATCH = 1000;

export interface RejectedLine {
  file: string;
  line: number;
  reason: string;
}

export interface ImportSummary {
  files: number;
  lines: number;
  imported: number;
  duplicates: number;
  rejected: number;
  /** Every rejected line with its reason (the first 1000; `rejected` counts all). */
  rejections: RejectedLine[];
}

export interface ImportProgress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  lines: number;
}

const MAX_LISTED_REJECTIONS = 1000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function importFiles(
  store: EventStore,
  paths: string[],
  onProgress?: (p: ImportProgress) => void,
): Promise<ImportSummary> {
  const summary: ImportSummary = { files: 0, lines: 0, imported: 0, duplicates: 0, rejected: 0, rejections: [] };
  const reject = (file: string, line: number, reason: string) => {
    summary.rejected++;
    if (summary.rejections.length < MAX_LISTED_REJECTIONS) summary.rejections.push({ file, line, reason });
  };
  for (const path of paths) {
    await importFile(store, path, summary, reject, onProgress);
    summary.files++;
  }
  return summary;
}

async function importFile(
  store: EventStore,
  path: string,
  summary: ImportSummary,
  reject: (file: string, line: number, reason: string) => void,
  onProgress?: (p: ImportProgress) => void,
): Promise<void> {
  const bytesTotal = statSync(path).size;
  const origin = `import:${resolve(path)}`;
  const raw = createReadStream(path, { highWaterMark: 1024 * 1024 });
  let bytesRead = 0;
  raw.on('data', (c) => (bytesRead += c.length));
  const gz = path.endsWith('.gz');
  const stream = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on('error', (e) => stream.destroy(e));

  let batch: EncodedEvent[] = [];
  let batchLines: number[] = [];
  let pending: Promise<void> | undefined;
  let lineNo = 0;
  let carry: Buffer[] = [];
  let carryLen = 0;
  let skippingLongLine = false;

  const settle = (lines: number[], outcomes: AppendOutcome[]) => {
    outcomes.forEach((o, k) => {
      if (o.status === 'stored') summary.imported++;
      else if (o.status === 'duplicate') summary.duplicates++;
      else reject(path, lines[k]!, o.reason);
    });
  };
  // Appending batch N (write + fsync on the thread pool) overlaps parsing batch N+1.
  const flush = async () => {
    if (pending) await pending;
    pending = undefined;
    if (batch.length === 0) return;
    const events = batch;
    const lines = batchLines;
    batch = [];
    batchLines = [];
    pending = store.append(events, origin).then((outcomes) => settle(lines, outcomes));
  };
  const drain = async () => {
    await flush();
    if (pending) await pending;
    pending = undefined;
  };

  const handleLine = async (bytes: Buffer, n: number) => {
    summary.lines++;
    if (bytes.length === 0 || (bytes.length < 8 && bytes.toString().trim() === '')) return;
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return reject(path, n, 'line is not valid UTF-8');
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return reject(path, n, `line is not JSON (${(e as Error).message})`);
    }
    try {
      const stored = validateStoredLine(value);
      if (stored.kind === 'marker') {
        await drain(); // its event may be in the batch being written
        const o = await store.importMarker(stored.marker);
        settle([n], [o]);
        return;
      }
      const payloadJson = encodePayload(stored.event.payload);
      batch.push(encodeEvent(stored.event, payloadJson));
      batchLines.push(n);
      if (batch.length >= IMPORT_BATCH) await flush();
    } catch (e) {
      if (e instanceof LineError) return reject(path, n, e.message);
      throw e;
    }
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        if (nl === -1) break;
        const piece = chunk.subarray(start, nl);
        start = nl + 1;
        lineNo++;
        if (skippingLongLine) {
          skippingLongLine = false;
          carry = [];
          carryLen = 0;
          continue;
        }
        let line = piece;
        if (carryLen > 0) {
          line = Buffer.concat([...carry, piece]);
          carry = [];
          carryLen = 0;
        }
        await handleLine(stripCr(line), lineNo);
      }
      if (start < chunk.length && !skippingLongLine) {
        carry.push(chunk.subarray(start));
        carryLen += chunk.length - start;
        if (carryLen > MAX_LINE_BYTES) {
          reject(path, lineNo + 1, `line is longer than ${MAX_LINE_BYTES} bytes`);
          summary.lines++;
          skippingLongLine = true;
          carry = [];
          carryLen = 0;
        }
      }
      onProgress?.({ file: path, bytesRead, bytesTotal, lines: lineNo });
    }
    if (carryLen > 0) {
      lineNo++;
      await handleLine(stripCr(Buffer.concat(carry)), lineNo);
    }
  } catch (e) {
    await drain().catch(() => {});
    const err = e as NodeJS.ErrnoException;
    if (gz && (err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR' || /unexpected end/i.test(err.message))) {
      reject(path, lineNo + 1, `the gzip stream is damaged after line ${lineNo} (${err.message}); the lines before it were imported`);
      return;
    }
    throw e;
  }
  await drain();
  onProgress?.({ file: path, bytesRead: bytesTotal, bytesTotal, lines: lineNo });
}

function stripCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
}
