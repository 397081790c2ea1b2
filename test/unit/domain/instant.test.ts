import { describe, expect, it } from 'vitest';
import { Instant } from '../../../core/domain/instant.js';

describe('Instant', () => {
  it('formats with nine fractional digits and Z', () => {
    expect(Instant.parse('2025-10-29T10:00:00.000Z').toString()).toBe('2025-10-29T10:00:00.000000000Z');
    expect(Instant.parse('2025-10-29T10:00:00Z').toString()).toBe('2025-10-29T10:00:00.000000000Z');
    expect(Instant.parse('2025-10-29T10:00:00.5Z').toString()).toBe('2025-10-29T10:00:00.500000000Z');
  });

  it('keeps nanoseconds through protobuf and text', () => {
    const i = Instant.fromProtobuf({ seconds: '1764842400', nanos: 123456789 });
    expect(i.toString()).toBe('2025-12-04T10:00:00.123456789Z');
    expect(Instant.parse(i.toString()).toProtobuf()).toEqual({ seconds: 1764842400, nanos: 123456789 });
    expect(Instant.fromProtobuf({ seconds: { low: 1764842400, high: 0 }, nanos: 1 }).toString()).toBe('2025-12-04T10:00:00.000000001Z');
    expect(Instant.fromProtobuf({ seconds: 1764842400n, nanos: 999999999 }).toString()).toBe('2025-12-04T10:00:00.999999999Z');
  });

  it('normalises any RFC 3339 offset to UTC', () => {
    expect(Instant.normalize('2026-01-01T01:30:00.25+02:00')).toBe('2025-12-31T23:30:00.250000000Z');
    expect(Instant.normalize('2026-12-31T22:00:00-05:30')).toBe('2027-01-01T03:30:00.000000000Z');
    expect(Instant.normalize('2026-03-01 00:00:00z')).toBe('2026-03-01T00:00:00.000000000Z');
    expect(Instant.normalize('2026-03-01t00:00:00.000000001Z')).toBe('2026-03-01T00:00:00.000000001Z');
  });

  it('orders text like time', () => {
    const a = Instant.normalize('2026-12-04T10:00:00.000000009Z');
    const b = Instant.normalize('2026-12-04T10:00:00.00000001Z');
    expect(a < b).toBe(true);
    expect(Instant.parse(a).compare(Instant.parse(b))).toBe(-1);
  });

  it('handles leap days, the range ends and pre-epoch times', () => {
    expect(Instant.normalize('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000000000Z');
    expect(Instant.normalize('2000-02-29T23:59:59.999999999Z')).toBe('2000-02-29T23:59:59.999999999Z');
    expect(Instant.normalize('0001-01-01T00:00:00Z')).toBe('0001-01-01T00:00:00.000000000Z');
    expect(Instant.normalize('9999-12-31T23:59:59.999999999Z')).toBe('9999-12-31T23:59:59.999999999Z');
    expect(Instant.normalize('1969-12-31T23:59:59.5Z')).toBe('1969-12-31T23:59:59.500000000Z');
    expect(Instant.fromEpochNanos(-500_000_000n).toString()).toBe('1969-12-31T23:59:59.500000000Z');
  });

  it.each([
    ['2026-13-01T00:00:00Z', /month 13 is out of range/],
    ['2026-00-01T00:00:00Z', /month 00 is out of range/],
    ['2026-02-29T00:00:00Z', /day 29 does not exist in February 2026/],
    ['1900-02-29T00:00:00Z', /day 29 does not exist in February 1900/],
    ['2026-04-31T00:00:00Z', /day 31 does not exist in April/],
    ['2026-12-04T24:00:00Z', /hour 24 is out of range/],
    ['2026-12-04T10:60:00Z', /minute 60 is out of range/],
    ['2026-12-04T10:00:60Z', /leap second/],
    ['2026-12-04T10:00:00', /no UTC offset/],
    ['2026-12-04T10:00:00.123', /no UTC offset/],
    ['2026-12-04', /date but no time/],
    ['2026-12-04T10:00:00.1234567891Z', /10 fractional digits/],
    ['2026-12-04T10:00:00+25:00', /offset \+25:00 is out of range/],
    ['', /empty/],
    ['yesterday', /not RFC 3339/],
    ['0000-01-01T00:00:00Z', /year 0000/],
    ['9999-12-31T23:59:59-01:00', /outside 0001-01-01\.\.9999-12-31/],
  ])('rejects %j saying what is wrong', (text, message) => {
    expect(() => Instant.parse(text)).toThrow(message);
  });

  it('rejects protobuf nanos out of range', () => {
    expect(() => Instant.fromProtobuf({ seconds: 0, nanos: 1_000_000_000 })).toThrow(/nanos 1000000000 is out of range/);
    expect(() => Instant.fromProtobuf({ seconds: 0, nanos: -1 })).toThrow(/nanos -1 is out of range/);
    expect(() => Instant.fromProtobuf({ seconds: 'x', nanos: 0 })).toThrow(/not an integer/);
    expect(() => Instant.fromProtobuf({ seconds: 253402300800, nanos: 0 })).toThrow(/outside/);
  });

  it('gives the UTC day a line is filed under', () => {
    expect(Instant.parse('2026-12-04T23:59:59.999999999Z').utcDate()).toBe('2026-12-04');
    expect(Instant.parse('2026-12-04T23:30:00-01:00').utcDate()).toBe('2026-12-05');
  });
});
