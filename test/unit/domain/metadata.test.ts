import { describe, expect, it } from 'vitest';
import {
  METADATA_LIMITS, metadataSetKey, pairsOfSetKey, sanitizeIncomingMetadata, SYSTEM_KEYS, userMetadataKey, validateStoredMetadata,
} from '../../../core/domain/metadata.js';

const system = {
  apiType: 'python',
  apiVersion: '0.3.1',
  clientIp: '10.1.2.3',
  clientTimestamp: '2026-12-04T10:00:00.123456789Z',
  serverReceivedAt: '2026-12-04T10:00:01.000000000Z',
  serverVersion: '0.1.0',
};

describe('incoming metadata ($tk namespace)', () => {
  it('strips every client key starting with $ and writes the true system values', () => {
    const r = sanitizeIncomingMetadata(
      { team: 'field', '$tk.client_ip': '1.1.1.1', '$tk.server_version': '99', '$custom': 'x' },
      undefined,
      system,
    );
    expect(r.stripped).toEqual({ '$tk.client_ip': '1.1.1.1', '$tk.server_version': '99', '$custom': 'x' });
    expect(r.metadata).toEqual({
      team: 'field',
      [SYSTEM_KEYS.apiType]: 'python',
      [SYSTEM_KEYS.apiVersion]: '0.3.1',
      [SYSTEM_KEYS.clientIp]: '10.1.2.3',
      [SYSTEM_KEYS.clientTimestamp]: system.clientTimestamp,
      [SYSTEM_KEYS.serverReceivedAt]: system.serverReceivedAt,
      [SYSTEM_KEYS.serverVersion]: '0.1.0',
    });
  });

  it('leaves absent header values absent and reports nothing stripped when nothing was', () => {
    const r = sanitizeIncomingMetadata({ a: 'b' }, undefined, { ...system, apiType: undefined, apiVersion: undefined });
    expect(r.stripped).toBeUndefined();
    expect(r.metadata).not.toHaveProperty(SYSTEM_KEYS.apiType);
    expect(r.metadata).not.toHaveProperty(SYSTEM_KEYS.apiVersion);
  });

  it('cuts stripped values at 1024 characters', () => {
    const r = sanitizeIncomingMetadata({ '$tk.api_type': 'x'.repeat(5000) }, undefined, system);
    expect(r.stripped!['$tk.api_type']).toHaveLength(1024);
  });

  it('makes the request sensor id authoritative and keeps a disagreeing claim', () => {
    const r = sanitizeIncomingMetadata({ sensor_id: 'spoof' }, 'temp-01', system);
    expect(r.metadata.sensor_id).toBe('temp-01');
    expect(r.claimedSensorId).toBe('spoof');
    const same = sanitizeIncomingMetadata({ sensor_id: 'temp-01' }, 'temp-01', system);
    expect(same.claimedSensorId).toBeUndefined();
    const clientOnly = sanitizeIncomingMetadata({ sensor_id: 'c' }, undefined, system);
    expect(clientOnly.metadata.sensor_id).toBe('c');
  });

  it('accepts exactly the limits', () => {
    const md: Record<string, string> = {};
    for (let i = 0; i < METADATA_LIMITS.pairs; i++) md[`k${i}`] = 'v';
    expect(() => sanitizeIncomingMetadata(md, undefined, system)).not.toThrow();
    expect(() => sanitizeIncomingMetadata({ ['k'.repeat(128)]: 'v'.repeat(1024) }, undefined, system)).not.toThrow();
    // 128 characters that are 4 UTF-8 bytes each are still 128 characters.
    expect(() => sanitizeIncomingMetadata({ ['😀'.repeat(128)]: 'ok' }, undefined, system)).not.toThrow();
  });

  it.each([
    [Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])), /65 user pairs; the limit is 64/],
    [{ ['k'.repeat(129)]: 'v' }, /is 129 characters; the limit is 128/],
    [{ big: 'v'.repeat(1025) }, /value of "big" is 1025 characters; the limit is 1024/],
    [Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, '€'.repeat(400)])), /bytes; the limit is 65536/],
    [{ 'bad\u0007key': 'v' }, /key "bad\\u0007key" contains control character U\+0007/],
    [{ 'c1\u0085': 'v' }, /control character U\+0085/],
    [{ '': 'v' }, /empty key/],
    [{ n: 5 }, /value of "n" must be a string, got number/],
    [{ s: '\ud800' }, /not valid Unicode/],
  ])('rejects over-limit metadata naming the limit and key (%#)', (md, message) => {
    expect(() => sanitizeIncomingMetadata(md, undefined, system)).toThrow(message);
  });

  it('rejects metadata that is not an object', () => {
    expect(() => sanitizeIncomingMetadata(['a'], undefined, system)).toThrow(/must be an object/);
  });
});

describe('stored metadata (import)', () => {
  it('keeps $ keys exactly and does not count them toward the user limits', () => {
    const md: Record<string, string> = { '$tk.client_ip': '192.168.1.100', '$tk.server_version': '0.0.9' };
    for (let i = 0; i < 64; i++) md[`k${i}`] = 'v';
    expect(validateStoredMetadata(md)).toBe(md);
  });

  it('still refuses an over-long $ value or control characters', () => {
    expect(() => validateStoredMetadata({ '$tk.api_type': 'x'.repeat(1025) })).toThrow(/limit is 1024/);
    expect(() => validateStoredMetadata({ '$tk\n': 'x' })).toThrow(/control character U\+000A/);
  });

  it('compares user metadata only, in any key order, when deciding "same event"', () => {
    expect(userMetadataKey({ a: '1', b: '2', '$tk.client_ip': 'x' })).toBe(userMetadataKey({ b: '2', a: '1', '$tk.client_ip': 'y' }));
    expect(userMetadataKey({ a: '1' })).not.toBe(userMetadataKey({ a: '2' }));
    expect(userMetadataKey({ a: '1' })).not.toBe(userMetadataKey({ a: '1', b: '2' }));
    expect(metadataSetKey({ a: 'b\u0000c' })).not.toBe(metadataSetKey({ 'a\u0000b': 'c' }));
    expect(pairsOfSetKey(metadataSetKey({ a: 'b\u0000c' }))).toEqual([['a', 'b\u0000c']]);
  });

  it('keys metadata sets by every pair but the per-event timestamps, and reads them back', () => {
    const a = { sensor_id: 's', '$tk.client_ip': '1.2.3.4', '$tk.client_timestamp': 't1', '$tk.server_received_at': 'r1' };
    const b = { ...a, '$tk.client_timestamp': 't2', '$tk.server_received_at': 'r2' };
    expect(metadataSetKey(a)).toBe(metadataSetKey(b));
    expect(pairsOfSetKey(metadataSetKey(a))).toEqual([['sensor_id', 's'], ['$tk.client_ip', '1.2.3.4']]);
    expect(pairsOfSetKey(metadataSetKey({}))).toEqual([]);
  });
});
