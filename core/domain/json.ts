// JSON value types and the structural checks every payload passes (PRODUCT §5:
// deep nesting and invalid Unicode get a clear reason, never a crash).

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonObject | JsonValue[];
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describeJsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/**
 * Walks a value once and reports the first structural problem: nesting deeper
 * than `maxDepth` (the outermost object or array is level 1), a string or key
 * that is not well-formed Unicode, or a non-finite number. Iterative, so a
 * hostile depth cannot overflow the stack.
 */
export function jsonStructureProblem(root: unknown, maxDepth: number, what: string): string | null {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return `${what} contains a string that is not valid Unicode (lone surrogate)`;
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `${what} contains a non-finite number (${v})`;
    } else if (typeof v === 'object' && v !== null) {
      if (depth > maxDepth) return `${what} nests deeper than ${maxDepth} levels (the limit)`;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) stack.push([v[i], depth + 1]);
      } else {
        for (const k in v) {
          if (!k.isWellFormed()) return `${what} contains a key that is not valid Unicode (lone surrogate)`;
          stack.push([(v as Record<string, unknown>)[k], depth + 1]);
        }
      }
    }
  }
  return null;
}
