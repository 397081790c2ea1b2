import { describe, expect, it } from 'vitest';
import { isUuid7, newUuid7, parseUuid7, uuid7Millis, uuid7Problem } from '../../../core/domain/identifier.js';

describe('UUIDv7 identifiers', () => {
  it('are version 7, RFC variant, and carry the current millisecond', () => {
    const before = Date.now();
    const id = newUuid7();
    const after = Date.now();
    expect(isUuid7(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
    expect(uuid7Millis(id)).toBeGreaterThanOrEqual(before);
    expect(uuid7Millis(id)).toBeLessThanOrEqual(after);
  });

  it('are strictly increasing within one process, even in one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => newUuid7());
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });

  it('reads the embedded time of a known id', () => {
    // 0x018c9f8e1234 ms = 2023-12-21T...; the seed's example id.
    expect(uuid7Millis('018c9f8e-1234-7abc-9def-0123456789ab')).toBe(0x018c9f8e1234);
  });

  it.each([
    ['', /empty/],
    ['not-a-uuid', /is not a UUID/],
    ['018c9f8e-1234-4abc-9def-0123456789ab', /version 4 UUID; version 7 is required/],
    ['018c9f8e-1234-7abc-cdef-0123456789ab', /RFC 9562 variant/],
    ['018c9f8e12347abc9def0123456789ab', /is not a UUID/],
  ])('rejects %j with its reason', (text, reason) => {
    expect(uuid7Problem(text)).toMatch(reason);
    expect(() => parseUuid7(text, 'event_id')).toThrow(/^event_id /);
  });

  it('rejects non-strings and canonicalises case', () => {
    expect(uuid7Problem(42)).toMatch(/got number/);
    expect(uuid7Problem(null)).toMatch(/got null/);
    expect(parseUuid7('018C9F8E-1234-7ABC-9DEF-0123456789AB')).toBe('018c9f8e-1234-7abc-9def-0123456789ab');
  });
});
