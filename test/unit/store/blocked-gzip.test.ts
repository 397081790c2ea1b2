import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { openSync, closeSync, writeFileSync, appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  BLOCK_RAW_BYTES, compressLines, compressLinesSync, describeMembers, readBlock, splitAtLineEnds, walkMembers,
} from '../../../core/store/blocked-gzip.js';
import { tempDir } from '../../helpers/station.js';

function lines(n: number, width = 200): Buffer {
  let s = '';
  for (let i = 0; i < n; i++) s += JSON.stringify({ i, pad: 'x'.repeat(width + (i % 37)) }) + '\n';
  return Buffer.from(s);
}

describe('blocked gzip day files', () => {
  it('cuts blocks only at line ends', () => {
    const raw = lines(5000);
    const pieces = splitAtLineEnds(raw);
    expect(pieces.length).toBeGreaterThan(1);
    expect(Buffer.concat(pieces).equals(raw)).toBe(true);
    for (const p of pieces) {
      expect(p[p.length - 1]).toBe(0x0a);
      expect(p.length).toBeLessThan(BLOCK_RAW_BYTES + 1000);
    }
  });

  it('is one valid gzip stream for gzip -t and zcat | jq, appended members included', async () => {
    const dir = tempDir();
    const path = join(dir, 'day.jsonl.gz');
    const a = lines(3000);
    const b = lines(10);
    writeFileSync(path, Buffer.concat(await compressLines(a)));
    appendFileSync(path, Buffer.concat(compressLinesSync(b)));
    execFileSync('gzip', ['-t', path]);
    const out = execFileSync('sh', ['-c', `zcat '${path}' | jq -c .i | wc -l`], { encoding: 'utf8' });
    expect(Number(out.trim())).toBe(3010);
    expect(gunzipSync(readFileSync(path)).equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('recovers member boundaries from headers alone and reads any block by itself', async () => {
    const dir = tempDir();
    const path = join(dir, 'day.jsonl.gz');
    const raw = lines(4000);
    const members = await compressLines(raw);
    writeFileSync(path, Buffer.concat(members));
    const walk = walkMembers(path);
    expect(walk.blocks).toEqual(describeMembers(members, 0, 0));
    expect(walk.endRawOffset).toBe(raw.length);
    expect(walk.tornBytes).toBe(0);
    const fd = openSync(path, 'r');
    try {
      const last = walk.blocks.at(-1)!;
      expect(readBlock(fd, last).equals(raw.subarray(last.rawOffset, last.rawOffset + last.rawLength))).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('reports a torn last member instead of reading it', async () => {
    const dir = tempDir();
    const path = join(dir, 'day.jsonl.gz');
    const whole = Buffer.concat(await compressLines(lines(2000)));
    const extra = Buffer.concat(await compressLines(lines(5)));
    writeFileSync(path, Buffer.concat([whole, extra.subarray(0, extra.length - 7)]));
    const walk = walkMembers(path);
    expect(walk.endFileOffset).toBe(whole.length);
    expect(walk.tornBytes).toBe(extra.length - 7);
  });

  it('detects a flipped bit by CRC rather than serving wrong lines', async () => {
    const dir = tempDir();
    const path = join(dir, 'day.jsonl.gz');
    const members = await compressLines(lines(50));
    const buf = Buffer.concat(members);
    buf[buf.length - 12]! ^= 0x01; // inside the deflate data of the last member
    writeFileSync(path, buf);
    const fd = openSync(path, 'r');
    try {
      const block = walkMembers(path).blocks.at(-1)!;
      expect(() => readBlock(fd, block)).toThrow(/CRC|invalid|incorrect/i);
    } finally {
      closeSync(fd);
    }
  });
});
