// Index facts of the lines in some members of a gzip day, read straight from
// the file: a worker thread does the reading, inflating and line parsing, so
// the main thread of a reindex only commits rows.
import { closeSync, openSync } from 'node:fs';
import { readBlock, type GzBlock } from './blocked-gzip.js';
import { indexFactsOf, packInto, type IndexFacts } from '../domain/line-fields.js';

export interface BlockFacts {
  offsets: number[];
  lengths: number[];
  facts: IndexFacts[];
}

export function factsOfBlocks(path: string, blocks: GzBlock[]): BlockFacts {
  const out: BlockFacts = { offsets: [], lengths: [], facts: [] };
  const fd = openSync(path, 'r');
  try {
    for (const block of blocks) {
      const raw = readBlock(fd, block);
      let start = 0;
      while (start < raw.length) {
        let nl = raw.indexOf(0x0a, start);
        if (nl === -1) nl = raw.length;
        out.offsets.push(block.rawOffset + start);
        out.lengths.push(nl - start);
        out.facts.push(indexFactsOf(raw.subarray(start, nl)));
        start = nl + 1;
      }
    }
  } finally {
    closeSync(fd);
  }
  packInto(out.facts.map((f) => (f.kind === 'event' ? f : null)), 'payloadSha256');
  return out;
}
