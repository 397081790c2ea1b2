// `tk import` (issue "station core" §5): stored lines from another station,
// JSONL or .jsonl.gz, kept as they were (ids, timestamps, `$tk` evidence), filed
// by their server_received_at day. Every line gets a verdict; a bad line never
// stops the rest of the file, and nothing half-written is left behind.
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import { MAX_LINE_BYTES, type EncodedEvent } from '../domain/event-line.js';
import { LinePool } from '../parallel/line-pool.js';
import type { LineVerdict } from '../domain/imported-line.js';
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
  const pool = LinePool.create();
  try {
    for (const path of paths) {
      await importFile(store, pool, path, summary, reject, onProgress);
      summary.files++;
    }
  } finally {
    await pool.close();
  }
  return summary;
}

async function importFile(
  store: EventStore,
  pool: LinePool,
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

  // Lines are judged in batches by the pool (parse, validate, encode), several
  // batches ahead; verdicts are applied in file order, one append at a time.
  const inflight: Array<{ verdicts: Promise<LineVerdict[]>; lineNos: number[] }> = [];
  const maxInflight = Math.max(2, pool.threads * 2);
  let lines: Buffer[] = [];
  let lineNos: number[] = [];
  let appending: Promise<void> = Promise.resolve();

  const settle = (nos: number[], outcomes: AppendOutcome[]) => {
    outcomes.forEach((o, k) => {
      if (o.status === 'stored') summary.imported++;
      else if (o.status === 'duplicate') summary.duplicates++;
      else reject(path, nos[k]!, o.reason);
    });
  };
  const submit = () => {
    if (lines.length === 0) return;
    const ends = new Uint32Array(lines.length);
    let at = 0;
    lines.forEach((l, i) => (ends[i] = at += l.length));
    inflight.push({ verdicts: pool.judge(Buffer.concat(lines, at), ends), lineNos });
    lines = [];
    lineNos = [];
  };
  const applyOldest = async () => {
    const { verdicts, lineNos: nos } = inflight.shift()!;
    const vs = await verdicts;
    let events: EncodedEvent[] = [];
    let eventLines: number[] = [];
    const appendEvents = async () => {
      if (events.length === 0) return;
      const batch = events;
      const batchLines = eventLines;
      events = [];
      eventLines = [];
      await appending; // the file write of batch N overlaps judging batch N+1
      appending = store.append(batch, origin).then((o) => settle(batchLines, o));
    };
    for (let k = 0; k < vs.length; k++) {
      const v = vs[k]!;
      const n = nos[k]!;
      summary.lines++;
      if (v.kind === 'blank') continue;
      if (v.kind === 'rejected') reject(path, n, v.reason);
      else if (v.kind === 'event') {
        events.push(v.event);
        eventLines.push(n);
      } else {
        await appendEvents(); // the marker's event may be in this batch
        await appending;
        settle([n], [await store.importMarker(v.marker)]);
      }
    }
    await appendEvents();
  };
  const addLine = async (line: Buffer, n: number) => {
    lines.push(stripCr(line));
    lineNos.push(n);
    if (lines.length >= IMPORT_BATCH) {
      submit();
      while (inflight.length >= maxInflight) await applyOldest();
    }
  };
  const finish = async () => {
    submit();
    while (inflight.length > 0) await applyOldest();
    await appending;
  };

  let lineNo = 0;
  let carry: Buffer[] = [];
  let carryLen = 0;
  let skippingLongLine = false;
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
          continue;
        }
        if (carryLen > 0) {
          await addLine(Buffer.concat([...carry, piece]), lineNo);
          carry = [];
          carryLen = 0;
        } else {
          await addLine(piece, lineNo);
        }
      }
      if (start < chunk.length && !skippingLongLine) {
        carry.push(chunk.subarray(start));
        carryLen += chunk.length - start;
        if (carryLen > MAX_LINE_BYTES) {
          summary.lines++;
          reject(path, lineNo + 1, `line is longer than ${MAX_LINE_BYTES} bytes`);
          skippingLongLine = true;
          carry = [];
          carryLen = 0;
        }
      }
      onProgress?.({ file: path, bytesRead, bytesTotal, lines: lineNo });
    }
    if (carryLen > 0) await addLine(Buffer.concat(carry), ++lineNo);
    await finish();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (gz && (err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR' || /unexpected end/i.test(err.message))) {
      await finish();
      reject(path, lineNo + 1, `the gzip stream is damaged after line ${lineNo} (${err.message}); the lines before it were imported`);
      return;
    }
    await finish().catch(() => {});
    throw e;
  }
  onProgress?.({ file: path, bytesRead: bytesTotal, bytesTotal, lines: lineNo });
}

function stripCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
}
