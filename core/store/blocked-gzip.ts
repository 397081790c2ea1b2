// Compressed day files with random access (PRODUCT §3 "finished days").
//
// A `.jsonl.gz` day is a sequence of independent gzip members, each holding
// whole lines (about BLOCK_RAW_BYTES of them). Concatenated members are one
// valid gzip stream for `gzip -t`, `zcat` and `jq`, yet one event can be read
// by decompressing only its member. Like BGZF (the blocked gzip of the SAM/BAM
// tools), every member carries its own total size in a gzip extra field
// (subfield "TK", 4 bytes little-endian), so the member boundaries can be
// recovered from headers alone, and its uncompressed size is the standard
// ISIZE trailer. Positions of events are kept in *uncompressed* coordinates,
// so compressing a day never moves an event.
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { crc32, deflateRaw, deflateRawSync, gunzipSync, inflateRawSync } from 'node:zlib';
import { promisify } from 'node:util';

export const BLOCK_RAW_BYTES = 128 * 1024;
/** zlib level for day files: level 1 keeps ingest fast; JSON lines still shrink ~5×. */
export const COMPRESSION_LEVEL = 1;

const HEADER_BYTES = 20;
const TRAILER_BYTES = 8;
const deflateRawAsync = promisify(deflateRaw);

/** One member: where its lines sit uncompressed and where its bytes sit in the file. */
export interface GzBlock {
  rawOffset: number;
  rawLength: number;
  fileOffset: number;
  fileLength: number;
}

export class GzipLayoutError extends Error {
  override name = 'GzipLayoutError';
}

function frameMember(raw: Buffer, deflated: Buffer): Buffer {
  const total = HEADER_BYTES + deflated.length + TRAILER_BYTES;
  const out = Buffer.allocUnsafe(total);
  out[0] = 0x1f;
  out[1] = 0x8b;
  out[2] = 8; // deflate
  out[3] = 4; // FEXTRA
  out.writeUInt32LE(0, 4); // MTIME: none (reproducible output)
  out[8] = 0; // XFL
  out[9] = 255; // OS: unknown
  out.writeUInt16LE(8, 10); // XLEN
  out[12] = 0x54; // 'T'
  out[13] = 0x4b; // 'K'
  out.writeUInt16LE(4, 14);
  out.writeUInt32LE(total, 16);
  deflated.copy(out, HEADER_BYTES);
  out.writeUInt32LE(crc32(raw) >>> 0, HEADER_BYTES + deflated.length);
  out.writeUInt32LE(raw.length >>> 0, HEADER_BYTES + deflated.length + 4);
  return out;
}

/** Cuts `raw` (whole lines, each ending in \n) into pieces of about `target` bytes at line ends. */
export function splitAtLineEnds(raw: Buffer, target = BLOCK_RAW_BYTES): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  while (start < raw.length) {
    if (raw.length - start <= target) {
      pieces.push(raw.subarray(start));
      break;
    }
    let cut = raw.indexOf(0x0a, start + target - 1);
    cut = cut === -1 ? raw.length : cut + 1;
    pieces.push(raw.subarray(start, cut));
    start = cut;
  }
  return pieces;
}

/** Compresses whole lines into members, deflating on libuv's thread pool (the second core). */
export async function compressLines(raw: Buffer, level = COMPRESSION_LEVEL): Promise<Buffer[]> {
  const pieces = splitAtLineEnds(raw);
  const deflated = await Promise.all(pieces.map((p) => deflateRawAsync(p, { level })));
  return pieces.map((p, i) => frameMember(p, deflated[i]!));
}

export function compressLinesSync(raw: Buffer, level = COMPRESSION_LEVEL): Buffer[] {
  return splitAtLineEnds(raw).map((p) => frameMember(p, deflateRawSync(p, { level })));
}

/** Block descriptors for members laid end to end starting at the given offsets. */
export function describeMembers(members: Buffer[], fileOffset: number, rawOffset: number): GzBlock[] {
  const blocks: GzBlock[] = [];
  for (const m of members) {
    const rawLength = m.readUInt32LE(m.length - 4);
    blocks.push({ rawOffset, rawLength, fileOffset, fileLength: m.length });
    fileOffset += m.length;
    rawOffset += rawLength;
  }
  return blocks;
}

/** Decompresses one member read from the file. */
export function inflateMember(member: Buffer): Buffer {
  if (member.length >= HEADER_BYTES && memberSizeFromHeader(member) === member.length) {
    const raw = inflateRawSync(member.subarray(HEADER_BYTES, member.length - TRAILER_BYTES));
    // zlib's raw inflate checks no trailer: check CRC and size here, so a flipped bit is reported, not served.
    if ((crc32(raw) >>> 0) !== member.readUInt32LE(member.length - 8) || raw.length !== member.readUInt32LE(member.length - 4)) {
      throw new GzipLayoutError('compressed block fails its CRC-32 check (corrupted)');
    }
    return raw;
  }
  // A member without our size field (e.g. a day gzipped by hand): let zlib parse it.
  return gunzipSync(member);
}

/** The member's total size from its "TK" extra field, or null if the header has none. */
function memberSizeFromHeader(h: Buffer): number | null {
  if (h.length < HEADER_BYTES || h[0] !== 0x1f || h[1] !== 0x8b || h[2] !== 8) return null;
  if ((h[3]! & 4) === 0) return null;
  if (h.readUInt16LE(10) !== 8 || h[12] !== 0x54 || h[13] !== 0x4b || h.readUInt16LE(14) !== 4) return null;
  const size = h.readUInt32LE(16);
  return size >= HEADER_BYTES + TRAILER_BYTES ? size : null;
}

export interface MemberWalk {
  blocks: GzBlock[];
  /** File offset just past the last complete member. */
  endFileOffset: number;
  /** Uncompressed offset just past the last complete member. */
  endRawOffset: number;
  /** Bytes after the last complete member (a torn append), 0 when none. */
  tornBytes: number;
  /** True when a member lacks our size field: the file is not in block layout. */
  foreign: boolean;
}

/**
 * Walks member headers and trailers of a day file from a known member boundary,
 * reading a few bytes per member, never decompressing.
 */
export function walkMembers(path: string, fromFileOffset = 0, fromRawOffset = 0): MemberWalk {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const blocks: GzBlock[] = [];
    const header = Buffer.alloc(HEADER_BYTES);
    const trailer = Buffer.alloc(4);
    let pos = fromFileOffset;
    let raw = fromRawOffset;
    let foreign = false;
    while (pos < size) {
      if (size - pos < HEADER_BYTES + TRAILER_BYTES) break;
      readSync(fd, header, 0, HEADER_BYTES, pos);
      const memberSize = memberSizeFromHeader(header);
      if (memberSize === null) {
        foreign = header[0] === 0x1f && header[1] === 0x8b;
        break;
      }
      if (pos + memberSize > size) break;
      readSync(fd, trailer, 0, 4, pos + memberSize - 4);
      const rawLength = trailer.readUInt32LE(0);
      blocks.push({ rawOffset: raw, rawLength, fileOffset: pos, fileLength: memberSize });
      pos += memberSize;
      raw += rawLength;
    }
    return { blocks, endFileOffset: pos, endRawOffset: raw, tornBytes: foreign ? 0 : size - pos, foreign };
  } finally {
    closeSync(fd);
  }
}

/** Reads and decompresses one block of a day file. */
export function readBlock(fd: number, block: GzBlock): Buffer {
  const buf = Buffer.allocUnsafe(block.fileLength);
  const n = readSync(fd, buf, 0, block.fileLength, block.fileOffset);
  if (n !== block.fileLength) throw new GzipLayoutError(`short read of a compressed block at byte ${block.fileOffset}`);
  return inflateMember(buf);
}
