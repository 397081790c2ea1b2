// API keys (PRODUCT §4): with --require-api-key, a missing, malformed or
// unknown key is UNAUTHENTICATED and a revoked one PERMISSION_DENIED, for a
// grpc-js sensor and for Debian's Python gRPC client alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, runTk, suiteDir } from '../helpers/station.js';
import { startServe, type RunningStation } from '../helpers/serve.js';
import { grpc, healthClient, sensorClient, toStruct, unary, type Client } from '../helpers/grpc-client.js';

let station: RunningStation;
let client: Client;
let dir: string;
let good: string;
let revoked: string;

function withKey(key: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('x-api-key', key);
  return md;
}

beforeAll(async () => {
  dir = suiteDir('tk-keys-');
  const data = join(dir, 'data');
  const created = JSON.parse(runTk(['keys', 'create', 'sensor A', '--json', '--data-dir', data]).stdout);
  const other = JSON.parse(runTk(['keys', 'create', 'old laptop', '--json', '--data-dir', data]).stdout);
  good = created.key;
  revoked = other.key;
  expect(runTk(['keys', 'revoke', other.api_key_id, '--data-dir', data]).code).toBe(0);
  station = await startServe(data, ['--require-api-key']);
  client = sensorClient(station.grpc);
});
afterAll(async () => {
  client?.close();
  if (station) expect(await station.stop()).toBe(0);
});

describe('API keys', () => {
  it('prints keys in upstream format once and lists them without the secret', () => {
    expect(good).toMatch(/^tk-v1-[0-9a-f]{32}-[0-9a-f]{64}$/);
    const list = runTk(['keys', 'list', '--json', '--data-dir', join(dir, 'data')]);
    expect(list.stdout).not.toContain(good.slice(39));
    const keys = JSON.parse(list.stdout).keys;
    expect(keys.map((k: { name: string; revoked_at: string | null }) => [k.name, k.revoked_at === null])).toEqual([
      ['sensor A', true], ['old laptop', false],
    ]);
  });

  it('lets a sensor with a good key in and turns the others away with the right status', async () => {
    const request = { events: [{ payload: toStruct({ ok: 1 }) }] };
    const ok = await unary<{ accepted_count: number }>(client, 'ReportEvents', request, withKey(good));
    expect(ok.accepted_count).toBe(1);
    await expect(unary(client, 'ReportEvents', request)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await expect(unary(client, 'SyncRules', {}, withKey('tk-v1-short'))).rejects.toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
      details: expect.stringMatching(/not in tk-v1-<secret id>-<random> form/),
    });
    const forged = good.slice(0, -4) + (good.endsWith('0000') ? '1111' : '0000');
    await expect(unary(client, 'ReportEvents', request, withKey(forged))).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await expect(unary(client, 'ReportEvents', request, withKey(revoked))).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: 'the API key has been revoked',
    });
  });

  it('keeps health checks open to probes without a key', async () => {
    const health = healthClient(station.grpc);
    expect(await unary(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
    health.close();
  });

  it('never writes a key to the station log', () => {
    expect(station.stderr()).not.toContain(good);
    expect(station.stderr()).not.toContain(revoked);
  });

  it('gives the same answers to the Python client', () => {
    const stubs = join(dir, 'stubs');
    mkdirSync(stubs);
    const protos = readdirSync(join(REPO, 'proto/trapperkeeper/sensor/v1')).map((f) => `proto/trapperkeeper/sensor/v1/${f}`);
    execFileSync('/usr/bin/python3', ['-m', 'grpc_tools.protoc', '-I', 'proto', `--python_out=${stubs}`, `--grpc_python_out=${stubs}`, ...protos], { cwd: REPO });
    const out = execFileSync('/usr/bin/python3', [join(REPO, 'test/interop/python/keys.py'), stubs, station.grpc, good, revoked], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ missing: 'UNAUTHENTICATED', malformed: 'UNAUTHENTICATED', good: 'OK', revoked: 'PERMISSION_DENIED' });
  });
});
