import { describe, expect, it } from 'vitest';
import { compileRule } from '../../../core/rules/compiled-rule.js';
import { evaluateAtStation, recordSnapshot, stationRules } from '../../../core/rules/station-evaluation.js';
import { verifyEvent } from '../../../core/rules/verify-event.js';
import { makeEvent } from '../../helpers/station.js';
import type { JsonObject, JsonValue } from '../../../core/domain/json.js';

const snap = (conditions: JsonValue[]): JsonObject => ({ rule_id: 'r1', name: 'n', action: 'observe', sample_rate: 1, conditions });

describe('record snapshots the station extracts', () => {
  it('keeps the fields every condition reads, the matched elements of nested wildcards, and field_ref targets', () => {
    const rule = compileRule(snap([
      { or_group: 0, field_path: '$.plants[*].lines[*].pressure', operator: 'gt', value: 5, field_type: 'numeric' },
      { or_group: 0, field_path: '$.limit', operator: 'lt', field_ref: '$.max', field_type: 'numeric' },
    ]));
    const payload: JsonValue = { plants: [{ name: 'a', lines: [{ pressure: 1 }, { pressure: 7 }] }, { lines: [{ pressure: 9, id: 'x' }] }], limit: 3, max: 10, other: 'no' };
    expect(recordSnapshot(rule, payload)).toEqual({ plants: [{ lines: [{ pressure: 7 }] }, { lines: [{ pressure: 9 }] }], limit: 3, max: 10 });
  });

  it('leaves out a record snapshot over 100 KB, and the evidence still re-verifies', () => {
    const big = 'x'.repeat(120 * 1024);
    const line = makeEvent({ payload: { blob: big } });
    expect(evaluateAtStation(line, stationRules([snap([{ or_group: 0, field_path: '$.blob', operator: 'prefix', value: 'xx', field_type: 'text' }])]))).toBe(true);
    expect(line.record_snapshot).toBeUndefined();
    expect(line.matched_field).toBe('$.blob');
    expect(verifyEvent(line)?.verdict).toBe('agrees');
  });
});
