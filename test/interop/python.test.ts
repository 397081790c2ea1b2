// A foreign client: Debian's Python gRPC (python3-grpcio), stubs generated
// from our proto files by protoc in the test setup, against a real `tk serve`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { newUuid7 } from '../../core/domain/identifier.js';
import { REPO, runTk, suiteDir } from '../helpers/station.js';
import { startServe, type RunningStation } from '../helpers/serve.js';

const PYTHON = '/usr/bin/python3';
interface Results {
  results: Array<{ event_id: string; status: string; error: string }>;
  accepted: number;
  rejected: number;
}

let station: RunningStation;
let data: string;
let answer: {
  accept: Results;
  reject: Results;
  resend: Results;
  over_limit: { code: string; details: string };
  sync: { ids: string[]; etag: string; again: { count: number; etag: string }; north: string[]; south: string[]; first_condition_path: string[] };
};
const id1 = newUuid7();
const id2 = newUuid7();

beforeAll(async () => {
  const dir = suiteDir('tk-python-');
  const stubs = join(dir, 'stubs');
  mkdirSync(stubs);
  const protos = readdirSync(join(REPO, 'proto/trapperkeeper/sensor/v1')).map((f) => `proto/trapperkeeper/sensor/v1/${f}`);
  execFileSync(PYTHON, ['-m', 'grpc_tools.protoc', '-I', 'proto', `--python_out=${stubs}`, `--grpc_python_out=${stubs}`, ...protos], { cwd: REPO });
  data = join(dir, 'data');
  expect(runTk(['rules', 'import', join(REPO, 'test/fixtures/rules.json'), '--data-dir', data]).code).toBe(0);
  station = await startServe(data);
  const out = execFileSync(PYTHON, [join(REPO, 'test/interop/python/sensor.py'), stubs, station.grpc, id1, id2], { encoding: 'utf8' });
  answer = JSON.parse(out);
});
afterAll(async () => {
  if (station) expect(await station.stop()).toBe(0);
});

describe('Python sensor (python3-grpcio) against tk serve', () => {
  it('gets both events accepted', () => {
    expect(answer.accept).toEqual({
      results: [
        { event_id: id1, status: 'EVENT_STATUS_ACCEPTED', error: '' },
        { event_id: id2, status: 'EVENT_STATUS_ACCEPTED', error: '' },
      ],
      accepted: 2,
      rejected: 0,
    });
  });

  it('finds spoofed $tk keys stripped, true values written and nanoseconds intact in tk get --json', () => {
    const got = runTk(['get', id1, '--json', '--data-dir', data]);
    expect(got.code).toBe(0);
    const line = JSON.parse(got.stdout);
    expect(line.client_timestamp).toBe('2025-12-04T10:00:00.123456789Z');
    expect(line.payload).toEqual({ readings: [1, 2.5, null, true], site: 'north', temperature: 95.5 });
    expect(line.metadata).toMatchObject({
      team: 'field',
      sensor_id: 'py-sensor-01',
      '$tk.api_type': 'python',
      '$tk.api_version': '0.3.1',
      '$tk.client_ip': '127.0.0.1',
      '$tk.client_timestamp': '2025-12-04T10:00:00.123456789Z',
    });
    expect(line.audit.stripped_metadata).toEqual({ '$tk.client_ip': '6.6.6.6', '$tk.api_type': 'spoofed' });
    const second = JSON.parse(runTk(['get', id2, '--json', '--data-dir', data]).stdout);
    expect(second.audit.client_timestamp_source).toBe('receipt');
    expect(second.client_timestamp).toBe(second.server_received_at);
  });

  it('gets one clear rejection per bad-input class', () => {
    const reasons = answer.reject.results.map((r) => [r.status, r.error]);
    expect(reasons.every(([s]) => s === 'EVENT_STATUS_REJECTED')).toBe(true);
    expect(reasons.map(([, e]) => e)).toEqual([
      expect.stringMatching(/"not-a-uuid" is not a UUID/),
      expect.stringMatching(/version 4 UUID; version 7 is required/),
      expect.stringMatching(/payload is \d+ bytes; the limit is 1048576/),
      'metadata has 65 user pairs; the limit is 64',
      'metadata value of "long" is 1025 characters; the limit is 1024',
      expect.stringMatching(/metadata key "k+…" is 129 characters; the limit is 128/),
      'metadata key "bad\\u0001key" contains control character U+0001',
      'payload nests deeper than 32 levels (the limit)',
    ]);
    expect(answer.reject.accepted).toBe(0);
    expect(answer.reject.rejected).toBe(8);
  });

  it('takes an equal resend without a second copy and refuses a changed one', () => {
    expect(answer.resend.results.map((r) => [r.status, r.error])).toEqual([
      ['EVENT_STATUS_ACCEPTED', ''],
      ['EVENT_STATUS_REJECTED', 'event_id already stored with different content'],
    ]);
    const copies = runTk(['query', '--json', '--sensor', 'py-sensor-01', '--data-dir', data]).stdout.trim().split('\n');
    expect(copies.filter((l) => JSON.parse(l).event_id === id1)).toHaveLength(1);
  });

  it('syncs rules by tags, with an ETag that answers "nothing new" when it matches', () => {
    const a = '0193a0b0-0000-7000-8000-00000000000a';
    const b = '0193a0b0-0000-7000-8000-00000000000b';
    expect(answer.sync.ids).toEqual([a, b]);
    expect(answer.sync.etag).toMatch(/^[0-9a-f]{64}$/);
    expect(answer.sync.again).toEqual({ count: 0, etag: answer.sync.etag });
    expect(answer.sync.north).toEqual([a, b]);
    expect(answer.sync.south).toEqual([a]);
    expect(answer.sync.first_condition_path).toEqual(['field_name', 'wildcard', 'field_name']);
  });

  it('has an over-limit batch refused whole with INVALID_ARGUMENT naming the limit', () => {
    expect(answer.over_limit).toEqual({
      code: 'INVALID_ARGUMENT',
      details: 'batch of 1001 events exceeds the limit of 1000 events per ReportEvents call',
    });
  });
});
