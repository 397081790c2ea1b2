// Which payload fields the detail view highlights: those in the record
// snapshot (the subset of the payload the rule looked at) and the matched field.
import type { JsonPath, Mark } from '../../ui/JsonTree';

/** `$.devices[1].temperature` → ['devices', 1, 'temperature'] (wildcards stay '*'). */
export function parseFieldPath(text: string): JsonPath | null {
  if (!text.startsWith('$')) return null;
  const out: JsonPath = [];
  const re = /\.([^.[\]]+)|\[(\d+|\*)\]|\["([^"]*)"\]/g;
  let m: RegExpExecArray | null;
  let at = 1;
  while ((m = re.exec(text)) !== null) {
    if (m.index !== at) return null;
    at = re.lastIndex;
    out.push(m[1] ?? (m[2] !== undefined ? (m[2] === '*' ? '*' : Number(m[2])) : m[3]!));
  }
  return at === text.length ? out : null;
}

const same = (a: JsonPath, b: JsonPath) => a.length === b.length && a.every((x, i) => x === '*' || b[i] === '*' || x === b[i]);

/** Leaf paths of the snapshot that also hold the same value in the payload (arrays of other length match by value). */
function snapshotLeaves(snapshot: unknown, payload: unknown, path: JsonPath, out: JsonPath[]): void {
  if (snapshot === null || typeof snapshot !== 'object') {
    if (JSON.stringify(snapshot) === JSON.stringify(payload)) out.push(path);
    return;
  }
  if (Array.isArray(snapshot)) {
    if (!Array.isArray(payload)) return;
    if (snapshot.length === payload.length) snapshot.forEach((v, i) => snapshotLeaves(v, payload[i], [...path, i], out));
    else {
      // Only the matched elements were kept: find each among the payload's.
      for (const v of snapshot) {
        const i = payload.findIndex((p) => JSON.stringify(p) === JSON.stringify(v));
        if (i >= 0) snapshotLeaves(v, payload[i], [...path, i], out);
      }
    }
    return;
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return;
  for (const [k, v] of Object.entries(snapshot)) {
    if (k in payload) snapshotLeaves(v, (payload as Record<string, unknown>)[k], [...path, k], out);
  }
}

export function payloadMarks(payload: unknown, recordSnapshot: unknown, matchedField: unknown): (p: JsonPath) => Mark {
  const leaves: JsonPath[] = [];
  if (recordSnapshot !== undefined) snapshotLeaves(recordSnapshot, payload, [], leaves);
  const matched = typeof matchedField === 'string' ? parseFieldPath(matchedField) : null;
  return (p) => {
    if (matched && same(matched, p)) return 'matched';
    return leaves.some((l) => l.length > 0 && same(l, p)) ? 'snapshot' : null;
  };
}
