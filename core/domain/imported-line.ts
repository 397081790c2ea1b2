// One imported line → its verdict. Pure, so it runs the same in a worker
// thread and in-process.
import { packInto } from './line-fields.js';
import { encodeEvent, encodePayload, LineError, validateStoredLine, type EncodedEvent, type MarkerLine } from './event-line.js';

export type LineVerdict =
  | { kind: 'event'; event: EncodedEvent }
  | { kind: 'marker'; marker: MarkerLine }
  | { kind: 'rejected'; reason: string }
  | { kind: 'blank' };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function judgeLine(bytes: Uint8Array): LineVerdict {
  if (isBlank(bytes)) return { kind: 'blank' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { kind: 'rejected', reason: 'line is not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { kind: 'rejected', reason: `line is not JSON (${(e as Error).message})` };
  }
  try {
    const stored = validateStoredLine(value);
    if (stored.kind === 'marker') return { kind: 'marker', marker: stored.marker };
    return { kind: 'event', event: encodeEvent(stored.event, encodePayload(stored.event.payload)) };
  } catch (e) {
    if (e instanceof LineError) return { kind: 'rejected', reason: e.message };
    return { kind: 'rejected', reason: `line could not be read (${(e as Error).message})` };
  }
}

/** Judges a batch: `buf` holds the lines back to back, `ends[i]` is where line i ends. */
export function judgeBatch(buf: Uint8Array, ends: ArrayLike<number>): LineVerdict[] {
  const out: LineVerdict[] = new Array(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    out[i] = judgeLine(buf.subarray(start, ends[i]));
    start = ends[i]!;
  }
  const events = out.map((v) => (v.kind === 'event' ? v.event : null));
  packInto(events, 'payloadSha256');
  packInto(events, 'line');
  return out;
}

function isBlank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  }
  return true;
}
