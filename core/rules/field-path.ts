// Field paths of rule conditions (upstream doc/04-rule-engine "field path
// resolution"): `$.a.b[0].c[*]` text (the stored snapshot form), or arrays of
// names, indexes and "*" (upstream's JSON form). Resolution walks the payload;
// a wildcard fans out over an array's elements in document order (ANY), and
// every way the walk can fail — absent key, null or scalar on the way, index
// out of range, a name applied to an array — yields "missing".
import type { JsonValue } from '../domain/json.js';

/** A name, an index, or null for a wildcard. */
export type Segment = string | number | null;

export const MAX_SEGMENTS = 16;
export const MAX_WILDCARDS = 2;

export class FieldPathError extends Error {
  override name = 'FieldPathError';
}

/**
 * Parsed paths by text: the same few paths recur in every event's snapshot
 * (re-verification reads millions). Bounded; the arrays are never modified.
 */
const parsedPaths = new Map<string, Segment[]>();
const MAX_CACHED_PATHS = 10_000;

/** `$.devices[*].temperature`, `$["dotted.key"][0]`, or `devices[*].temperature` → segments. */
export function parseFieldPath(text: string): Segment[] {
  const known = parsedPaths.get(text);
  if (known) return known;
  const segs = parsePathText(text);
  if (parsedPaths.size >= MAX_CACHED_PATHS) parsedPaths.clear();
  parsedPaths.set(text, segs);
  return segs;
}

function parsePathText(text: string): Segment[] {
  const out: Segment[] = [];
  let i = text.startsWith('$') ? 1 : 0;
  if (i === 0 && text.length > 0 && text[0] !== '[') {
    // A bare first name: `devices[*].temperature`.
    const m = /^[^.[\]]+/.exec(text);
    if (!m) throw new FieldPathError(`field path ${JSON.stringify(text)} does not start with a name or $`);
    out.push(m[0]);
    i = m[0].length;
  }
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      const m = /^[^.[\]]+/.exec(text.slice(i + 1));
      if (!m) throw new FieldPathError(`field path ${JSON.stringify(text)}: a name must follow "." at ${i}`);
      out.push(m[0]);
      i += 1 + m[0].length;
    } else if (c === '[') {
      const rest = text.slice(i);
      const m = /^\[(?:(\d+)|(\*)|"((?:[^"\\]|\\.)*)")\]/.exec(rest);
      if (!m) throw new FieldPathError(`field path ${JSON.stringify(text)}: "[" at ${i} must hold an index, * or a quoted name`);
      out.push(m[1] !== undefined ? Number(m[1]) : m[2] !== undefined ? null : (JSON.parse(`"${m[3]}"`) as string));
      i += m[0].length;
    } else {
      throw new FieldPathError(`field path ${JSON.stringify(text)}: unexpected ${JSON.stringify(c)} at ${i}`);
    }
  }
  if (out.length === 0) throw new FieldPathError(`field path ${JSON.stringify(text)} names no field`);
  return checked(out, text);
}

/** Upstream's array form: names, indexes ≥ 0 and "*" for a wildcard. */
export function fieldPathOfArray(parts: readonly unknown[]): Segment[] {
  const out = parts.map((p, i): Segment => {
    if (p === '*') return null;
    if (typeof p === 'string' && p !== '') return p;
    if (typeof p === 'number' && Number.isInteger(p) && p >= 0) return p;
    throw new FieldPathError(`field path element ${i} must be a name, an index ≥ 0 or "*", got ${JSON.stringify(p)}`);
  });
  if (out.length === 0) throw new FieldPathError('field path names no field');
  return checked(out, JSON.stringify(parts));
}

function checked(segs: Segment[], text: string): Segment[] {
  if (segs.length > MAX_SEGMENTS) throw new FieldPathError(`field path ${text} has ${segs.length} segments, more than ${MAX_SEGMENTS}`);
  const wild = segs.filter((s) => s === null).length;
  if (wild > MAX_WILDCARDS) throw new FieldPathError(`field path ${text} has ${wild} wildcards, more than ${MAX_WILDCARDS}`);
  return segs;
}

const pathTexts = new WeakMap<ReadonlyArray<string | number | null>, string>();

/** Segments (with concrete indexes) → `$.a.b[1].c`; names that are not plain identifiers are quoted. */
export function fieldPathText(path: ReadonlyArray<string | number | null>): string {
  const known = pathTexts.get(path);
  if (known !== undefined) return known;
  const t = pathTextOf(path);
  if (parsedPaths.get(t) === path) pathTexts.set(path, t);
  return t;
}

function pathTextOf(path: ReadonlyArray<string | number | null>): string {
  let t = '$';
  for (const s of path) {
    if (s === null) t += '[*]';
    else if (typeof s === 'number') t += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) t += `.${s}`;
    else t += `[${JSON.stringify(s)}]`;
  }
  return t;
}

/** The value a path without wildcards leads to; undefined when missing (a null on the way is missing too). */
export function resolveOne(root: JsonValue, segs: readonly Segment[]): JsonValue | undefined {
  let v: JsonValue | undefined = root;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (v === null || typeof v !== 'object') return undefined;
    if (typeof s === 'number') v = Array.isArray(v) ? v[s] : undefined;
    else if (Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, s as string)) return undefined;
    else v = (v as Record<string, JsonValue>)[s as string];
  }
  return v;
}

/** One place a path leads to: the concrete path and the value there, or undefined when missing. */
export interface Resolved {
  path: Array<string | number>;
  value: JsonValue | undefined;
}

/**
 * Every place the path leads to, in document order. A path without wildcards
 * gives exactly one (maybe missing); a wildcard over an empty array gives none.
 */
export function resolvePath(root: JsonValue, segs: readonly Segment[]): Resolved[] {
  const out: Resolved[] = [];
  const walk = (v: JsonValue | undefined, i: number, path: Array<string | number>) => {
    if (i === segs.length) {
      out.push({ path: [...path], value: v });
      return;
    }
    const s = segs[i]!;
    if (s === null) {
      if (!Array.isArray(v)) return void out.push({ path: [...path, ...concrete(segs, i)], value: undefined });
      for (let k = 0; k < v.length; k++) {
        path.push(k);
        walk(v[k], i + 1, path);
        path.pop();
      }
      return;
    }
    let next: JsonValue | undefined;
    if (typeof s === 'number') next = Array.isArray(v) ? v[s] : undefined;
    else next = v !== null && typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, s) ? v[s] : undefined;
    path.push(s);
    if (next === undefined || (next === null && i + 1 < segs.length)) {
      out.push({ path: [...path, ...concrete(segs, i + 1)], value: undefined });
    } else walk(next, i + 1, path);
    path.pop();
  };
  walk(root, 0, []);
  return out;
}

/** The rest of a path for reporting a missing place ('*' stays a wildcard marker as index -1 is not a path). */
function concrete(segs: readonly Segment[], from: number): Array<string | number> {
  return segs.slice(from).map((s) => (s === null ? '*' : s));
}
