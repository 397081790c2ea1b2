// Identifiers: UUIDv7 (RFC 9562) for events, rules, keys, tenants and markers
// (PRODUCT §3 "Identifiers", seed "UUIDv7 Identifier Strategy").
//
// `uuid`'s v7 keeps a per-process counter, so ids made in one process are
// strictly increasing even within one millisecond.
import { v7 } from 'uuid';

export type Uuid7 = string & { readonly __uuid7: unique symbol };

export function newUuid7(): Uuid7 {
  return v7() as Uuid7;
}

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why `text` is not a UUIDv7, or null when it is one. */
export function uuid7Problem(text: unknown): string | null {
  if (typeof text !== 'string') return `must be a UUIDv7 string, got ${text === null ? 'null' : typeof text}`;
  if (text === '') return 'is empty; a UUIDv7 is required';
  if (!UUID_SHAPE.test(text)) return `${JSON.stringify(clip(text))} is not a UUID (expected 8-4-4-4-12 hex digits)`;
  const version = text[14]!;
  if (version !== '7') return `${JSON.stringify(text)} is a version ${version} UUID; version 7 is required`;
  const variant = parseInt(text[19]!, 16);
  if ((variant & 0b1100) !== 0b1000) return `${JSON.stringify(text)} does not have the RFC 9562 variant (10xx)`;
  return null;
}

export function isUuid7(text: unknown): text is Uuid7 {
  return uuid7Problem(text) === null;
}

/** Validates and returns the canonical (lower-case) form, or throws with the reason. */
export function parseUuid7(text: unknown, what = 'id'): Uuid7 {
  const problem = uuid7Problem(text);
  if (problem) throw new Error(`${what} ${problem}`);
  return (text as string).toLowerCase() as Uuid7;
}

/** The Unix time in milliseconds embedded in the first 48 bits. */
export function uuid7Millis(id: Uuid7 | string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

function clip(s: string): string {
  return s.length > 48 ? s.slice(0, 48) + '…' : s;
}
