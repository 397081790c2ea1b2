// Reading day files by position (plain or blocked gzip) and scanning them line
// by line. Used by the owner and by read-only processes alike: a reader may
// find a day compressed under its feet, so a vanished file is retried once
// with the index's fresh idea of the segment.
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { readBlock, walkMembers, inflateMember, type GzBlock } from './blocked-gzip.js';
import type { DataDir } from './data-dir.js';
import type { EventIndex, SegmentRow } from '../db/event-index.js';

const SCAN_CHUNK = 4 * 1024 * 1024;
const BLOCK_CACHE_SIZE = 32;

export class SegmentFiles {
  private readonly fds = new Map<string, number>();
  private readonly segments = new Map<number, SegmentRow>();
  private readonly blockCache = new Map<string, Buffer>();

  constructor(private readonly dir: DataDir, private readonly index: EventIndex) {}

  segment(id: number, fresh = false): SegmentRow {
    let s = fresh ? undefined : this.segments.get(id);
    if (!s) {
      s = this.index.segmentById(id);
      if (!s) throw new Error(`segment ${id} is not in the index`);
      this.segments.set(id, s);
    }
    return s;
  }

  pathOf(seg: SegmentRow): string {
    return this.dir.dayPath(seg.day, seg.compressed === 1);
  }

  private fd(path: string): number {
    let fd = this.fds.get(path);
    if (fd === undefined) {
      fd = openSync(path, 'r');
      this.fds.set(path, fd);
    }
    return fd;
  }

  /** Forgets cached handles and segment facts (after a rotation or a truncation). */
  invalidate(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    this.segments.clear();
    this.blockCache.clear();
  }

  /** The bytes of one stored line (without its newline). */
  readLine(segmentId: number, offset: number, length: number): Buffer {
    try {
      return this.readLineOnce(this.segment(segmentId), offset, length);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && !(e instanceof ShortReadError)) throw e;
      this.invalidate();
      return this.readLineOnce(this.segment(segmentId, true), offset, length);
    }
  }

  private readLineOnce(seg: SegmentRow, offset: number, length: number): Buffer {
    const path = this.pathOf(seg);
    const fd = this.fd(path);
    if (seg.compressed !== 1) {
      const buf = Buffer.allocUnsafe(length);
      const n = readSync(fd, buf, 0, length, offset);
      if (n !== length) throw new ShortReadError(`${path}: line at byte ${offset} is cut short`);
      return buf;
    }
    const block = this.index.blockFor(seg.id, offset);
    if (!block || offset + length > block.raw_offset + block.raw_length) {
      throw new ShortReadError(`${path}: no compressed block holds byte ${offset}`);
    }
    const key = `${seg.id}:${block.raw_offset}`;
    let raw = this.blockCache.get(key);
    if (raw) {
      this.blockCache.delete(key);
    } else {
      raw = readBlock(fd, toGzBlock(block));
      if (this.blockCache.size >= BLOCK_CACHE_SIZE) this.blockCache.delete(this.blockCache.keys().next().value!);
    }
    this.blockCache.set(key, raw);
    const start = offset - block.raw_offset;
    return raw.subarray(start, start + length);
  }

  close(): void {
    this.invalidate();
  }
}

export class ShortReadError extends Error {
  override name = 'ShortReadError';
}

function toGzBlock(b: { raw_offset: number; raw_length: number; file_offset: number; file_length: number }): GzBlock {
  return { rawOffset: b.raw_offset, rawLength: b.raw_length, fileOffset: b.file_offset, fileLength: b.file_length };
}

export interface ScannedLine {
  /** The line's bytes without the newline. */
  bytes: Buffer;
  /** Uncompressed offset of the line's first byte. */
  offset: number;
  /** 1-based line number, counted from the scan's start offset. */
  lineNo: number;
}

export interface ScanEnd {
  /** Uncompressed offset after the last complete line. */
  rawEnd: number;
  /** File offset after the last complete line (plain) or member (gz). */
  fileEnd: number;
  /** Members found in a gz file (from the scan's start). */
  blocks: GzBlock[];
  /** Bytes after the last newline of a plain file (a torn line). */
  tail: number;
}

/** Pieces of a day file made of whole lines, from a known line boundary. */
export interface LineBlock {
  /** Whole lines, each ending in \n. */
  buf: Buffer;
  /** Uncompressed offset of buf[0]. */
  base: number;
}

/**
 * Yields a day file's complete lines in blocks (a gzip member, or a few MB of a
 * plain file) from a known line boundary; returns where the complete lines end.
 * Never yields a torn tail.
 */
export function* dayFileBlocks(
  path: string,
  compressed: boolean,
  from: { raw: number; file: number },
): Generator<LineBlock, ScanEnd> {
  if (compressed) {
    const walk = walkMembers(path, from.file, from.raw);
    const fd = openSync(path, 'r');
    try {
      for (const b of walk.blocks) {
        const member = Buffer.allocUnsafe(b.fileLength);
        readSync(fd, member, 0, b.fileLength, b.fileOffset);
        yield { buf: inflateMember(member), base: b.rawOffset };
      }
    } finally {
      closeSync(fd);
    }
    return { rawEnd: walk.endRawOffset, fileEnd: walk.endFileOffset, blocks: walk.blocks, tail: walk.tornBytes };
  }
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let pos = from.raw;
    let carry: Buffer = Buffer.alloc(0);
    let carryAt = pos;
    while (pos < size) {
      const chunk = Buffer.allocUnsafe(Math.min(SCAN_CHUNK, size - pos));
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      if (n <= 0) break;
      pos += n;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const whole = buf.lastIndexOf(0x0a) + 1;
      if (whole > 0) yield { buf: buf.subarray(0, whole), base: carryAt };
      carry = Buffer.from(buf.subarray(whole));
      carryAt += whole;
    }
    return { rawEnd: carryAt, fileEnd: carryAt, blocks: [], tail: size - carryAt };
  } finally {
    closeSync(fd);
  }
}

/** Calls `onLine` for every complete line of a day file from a known line boundary. */
export function scanDayFile(
  path: string,
  compressed: boolean,
  from: { raw: number; file: number },
  onLine: (line: ScannedLine) => void,
): ScanEnd {
  let lineNo = 0;
  const blocks = dayFileBlocks(path, compressed, from);
  for (;;) {
    const r = blocks.next();
    if (r.done) return r.value;
    const { buf, base } = r.value;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl === -1) break;
      onLine({ bytes: buf.subarray(start, nl), offset: base + start, lineNo: ++lineNo });
      start = nl + 1;
    }
  }
}
