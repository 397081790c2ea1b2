// The `tk` command as a user runs it: a real process on a real data dir.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, rmSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { newUuid7 } from '../../core/domain/identifier.js';
import { REPO, runTk, tempDir } from '../helpers/station.js';

function line(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: newUuid7(),
    client_timestamp: '2026-12-01T10:00:00.123456789+01:00',
    server_received_at: '2026-12-01T09:00:01.000000001Z',
    payload: { temperature: 95.5, site: 'Pump Station 4' },
    metadata: { sensor_id: 'temp-01', team: 'field', '$tk.api_version': '0.1.0', '$tk.client_ip': '192.168.1.100' },
    matched_rules: [{ rule_id: '0193a0b0-0000-7000-8000-00000000000a', action: 'observe' }],
    rule_snapshot: {
      rule_id: '0193a0b0-0000-7000-8000-00000000000a', name: 'High Temperature', action: 'observe',
      conditions: [{ or_group: 0, field_path: '$.temperature', operator: 'gt', value: 80 }], created_at: '2026-10-01T00:00:00Z',
    },
    record_snapshot: { temperature: 95.5 },
    ...over,
  };
}

function writeJsonl(path: string, items: Array<Record<string, unknown> | string>): string {
  writeFileSync(path, items.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n') + '\n');
  return path;
}

describe('tk import → query → get', () => {
  it('round-trips lines with nanosecond timestamps intact and $tk values kept as they were', () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const a = line();
    const b = line({ server_received_at: '2026-12-01T09:00:02.999999999Z', metadata: { sensor_id: 'temp-02' } });
    const src = writeJsonl(join(dir, 'in.jsonl'), [a, b]);
    const imp = runTk(['import', '--json', '--data-dir', data, src]);
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout)).toEqual({ files: 1, lines: 2, imported: 2, duplicates: 0, rejected: 0, rejections: [] });

    const q = runTk(['query', '--json'], { TK_DATA_DIR: data });
    expect(q.code).toBe(0);
    const got = q.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(got.map((g) => g.event_id)).toEqual([b.event_id, a.event_id]);
    expect(got[1].client_timestamp).toBe('2026-12-01T09:00:00.123456789Z');
    expect(got[1].server_received_at).toBe('2026-12-01T09:00:01.000000001Z');
    expect(got[1].metadata).toEqual(a.metadata);
    expect(got[1].rule_snapshot).toEqual(a.rule_snapshot);
    expect(got[0].server_received_at).toBe('2026-12-01T09:00:02.999999999Z');

    const g = runTk(['get', String(a.event_id), '--json', '--data-dir', data]);
    expect(g.code).toBe(0);
    expect(g.stdout.trim()).toBe(q.stdout.trim().split('\n')[1]);
    const human = runTk(['get', String(a.event_id), '--data-dir', data]);
    expect(human.stdout).toContain('"High Temperature"');
    expect(human.stdout).toContain(`arrived by import:${src}`);
    // The finished day was filed compressed, and stays a valid gzip stream.
    execFileSync('gzip', ['-t', join(data, 'events', '2026-12-01.jsonl.gz')]);
  });

  it('rejects each bad line with its number and reason, imports the rest, and leaves nothing half-written', () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const good1 = line();
    const good2 = line();
    const deep: Record<string, unknown> = { v: 1 };
    let cur = deep;
    for (let i = 0; i < 40; i++) cur = (cur.n = {}) as Record<string, unknown>;
    const items: Array<Record<string, unknown> | string> = [
      good1,
      'this is not json',
      '[1,2,3]',
      line({ event_id: undefined }),
      line({ event_id: '018c9f8e-1234-4abc-9def-0123456789ab' }),
      line({ payload: 'a string' }),
      line({ payload: { blob: 'x'.repeat(1024 * 1024) } }),
      line({ metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) }),
      line({ client_timestamp: '2026-13-01T00:00:00Z' }),
      line({ server_received_at: '2026-12-01T10:00:00' }),
      line({ payload: deep }),
      line({ server_received_at: '2099-01-01T00:00:00Z' }),
      good2,
    ];
    const src = writeJsonl(join(dir, 'in.jsonl'), items);
    // Line 14: invalid UTF-8 bytes.
    writeFileSync(src, Buffer.concat([readFileSync(src), Buffer.from('{"event_id":"\xff\xfe"}\n', 'latin1')]));
    const r = runTk(['import', '--json', '--data-dir', data, src]);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout);
    expect(s.imported).toBe(2);
    expect(s.rejected).toBe(12);
    const reasons = Object.fromEntries(s.rejections.map((x: { line: number; reason: string }) => [x.line, x.reason]));
    expect(reasons[2]).toMatch(/not JSON/);
    expect(reasons[3]).toMatch(/array; expected an event object/);
    expect(reasons[4]).toMatch(/event_id is missing/);
    expect(reasons[5]).toMatch(/version 4 UUID/);
    expect(reasons[6]).toMatch(/payload must be a JSON object, got a string/);
    expect(reasons[7]).toMatch(/payload is \d+ bytes; the limit is 1048576/);
    expect(reasons[8]).toMatch(/65 user pairs; the limit is 64/);
    expect(reasons[9]).toMatch(/client_timestamp: .*month 13/);
    expect(reasons[10]).toMatch(/server_received_at: .*no UTC offset/);
    expect(reasons[11]).toMatch(/nests deeper than 32 levels/);
    expect(reasons[12]).toMatch(/24 h in the station's future/);
    expect(reasons[14]).toMatch(/not valid UTF-8/);
    for (const x of s.rejections) expect(x.file).toBe(src);
    // Human form names file:line too.
    const again = runTk(['import', '--data-dir', data, src]);
    expect(again.stdout).toContain(`${src}:2: line is not JSON`);
    expect(again.stdout).toMatch(/imported 0, duplicates 2, rejected 12/);
    // Nothing half-written: the store verifies clean and holds exactly the good lines.
    expect(runTk(['verify', '--data-dir', data]).code).toBe(0);
    const ids = runTk(['query', '--json', '--data-dir', data]).stdout.trim().split('\n').map((l) => JSON.parse(l).event_id).sort();
    expect(ids).toEqual([good1.event_id, good2.event_id].sort());
  });

  it('imports .jsonl.gz and treats a changed resend as rejected, an equal one as duplicate', () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const a = line();
    const gz = join(dir, 'in.jsonl.gz');
    writeFileSync(gz, gzipSync(JSON.stringify(a) + '\n'));
    expect(runTk(['import', '--data-dir', data, gz]).code).toBe(0);
    const changed = writeJsonl(join(dir, 'changed.jsonl'), [{ ...a, payload: { temperature: 1 } }, a]);
    const r = runTk(['import', '--json', '--data-dir', data, changed]);
    const s = JSON.parse(r.stdout);
    expect(s.duplicates).toBe(1);
    expect(s.rejections).toEqual([{ file: changed, line: 1, reason: 'event_id already stored with different content' }]);
  });
});

describe('tk query, delete, export, stats', () => {
  function seeded(): { data: string; ids: string[] } {
    const dir = tempDir();
    const data = join(dir, 'data');
    const items = Array.from({ length: 12 }, (_, i) => line({
      server_received_at: `2026-12-0${1 + (i % 3)}T08:00:${String(i).padStart(2, '0')}.000000000Z`,
      client_timestamp: `2026-12-0${1 + (i % 3)}T07:00:${String(i).padStart(2, '0')}.000000000Z`,
      metadata: { sensor_id: `s${i % 2}`, site: i < 6 ? 'north' : 'south' },
      payload: { i, msg: i === 5 ? 'Valve STUCK open' : 'fine' },
    }));
    runTk(['import', '--data-dir', data, writeJsonl(join(dir, 'in.jsonl'), items)]);
    return { data, ids: items.map((x) => String(x.event_id)) };
  }
  const q = (data: string, ...args: string[]) => runTk(['query', '--json', '--data-dir', data, ...args]);
  const idsOf = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).event_id);

  it('filters, pages with next-cursor on stderr, and prints a table without --json', () => {
    const { data, ids } = seeded();
    expect(idsOf(q(data, '--sensor', 's1', '--meta', 'site=south').stdout).sort()).toEqual([ids[7], ids[9], ids[11]].sort());
    expect(idsOf(q(data, '--text', 'valve stuck').stdout)).toEqual([ids[5]]);
    const p1 = q(data, '--limit', '5', '--order', 'asc');
    expect(idsOf(p1.stdout)).toHaveLength(5);
    const cursor = /next-cursor: (\S+)/.exec(p1.stderr)![1]!;
    const p2 = q(data, '--limit', '5', '--order', 'asc', '--cursor', cursor);
    expect(idsOf(p2.stdout)).toHaveLength(5);
    expect(new Set([...idsOf(p1.stdout), ...idsOf(p2.stdout)]).size).toBe(10);
    const since = q(data, '--since', '2026-12-02T00:00:00Z', '--until', '2026-12-03T00:00:00Z');
    expect(idsOf(since.stdout)).toHaveLength(4);
    const byClient = q(data, '--by', 'client', '--since', '2026-12-01T07:00:03Z', '--until', '2026-12-01T07:00:04+00:00');
    expect(idsOf(byClient.stdout)).toEqual([ids[3]]);
    const table = runTk(['query', '--data-dir', data, '--limit', '3']);
    expect(table.stdout.split('\n')[0]).toMatch(/RECEIVED \(UTC\)\s+EVENT ID\s+SENSOR\s+RULES\s+PAYLOAD/);
    expect(table.stdout).toContain(ids[11]);
  });

  it('says what is wrong with bad flags, exit 2', () => {
    const { data } = seeded();
    const bad = q(data, '--since', '2026-12-01');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since: timestamp "2026-12-01" has a date but no time/);
    expect(q(data, '--meta', 'novalue').code).toBe(2);
    expect(q(data, '--limit', 'ten').code).toBe(2);
    expect(q(data, '--cursor', 'nope').code).toBe(2);
    expect(runTk(['frobnicate']).code).toBe(2);
    expect(runTk(['get', 'not-an-id', '--data-dir', data]).code).toBe(2);
    for (const cmd of [[], ['serve'], ['import'], ['query'], ['get'], ['delete'], ['export'], ['verify'], ['reindex'], ['stats'], ['rules', 'import'], ['rules', 'list']]) {
      const help = runTk([...cmd, '--help']);
      expect(help.code, cmd.join(' ')).toBe(0);
      expect(help.stdout).toMatch(/Usage: tk/);
    }
  });

  it('get of an unknown id exits 1; delete hides an event behind a marker line', () => {
    const { data, ids } = seeded();
    const unknown = runTk(['get', '018c9f8e-1234-7abc-9def-0123456789ab', '--data-dir', data]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no event 018c9f8e/);
    const del = runTk(['delete', ids[4]!, '--reason', 'sensor miscalibrated', '--json', '--data-dir', data]);
    expect(del.code).toBe(0);
    const marker = JSON.parse(del.stdout);
    expect(marker).toMatchObject({ marker: 'delete', event_id: ids[4], reason: 'sensor miscalibrated' });
    expect(idsOf(q(data, '--limit', '100').stdout)).not.toContain(ids[4]);
    expect(idsOf(q(data, '--limit', '100', '--include-deleted').stdout)).toContain(ids[4]);
    expect(runTk(['get', ids[4]!, '--data-dir', data]).stdout).toContain('deleted at');
    // The marker is a line in today's file, found by jq's select(.payload) as a non-event.
    const today = readdirSync(join(data, 'events')).find((f) => f.endsWith('.jsonl'))!;
    const text = readFileSync(join(data, 'events', today), 'utf8');
    expect(JSON.parse(text.trim().split('\n').at(-1)!)).toEqual(marker);
    expect(execFileSync('jq', ['-c', 'select(.payload)', join(data, 'events', today)], { encoding: 'utf8' })).toBe('');
    expect(runTk(['delete', '018c9f8e-1234-7abc-9def-0123456789ab', '--reason', 'x', '--data-dir', data]).code).toBe(1);
  });

  it('exports JSONL, gzip and CSV with the same filters', () => {
    const { data, ids } = seeded();
    const dir = tempDir();
    for (const ext of ['jsonl', 'jsonl.gz', 'csv']) {
      const out = join(dir, `out.${ext}`);
      const r = runTk(['export', '--out', out, '--sensor', 's0', '--data-dir', data]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('exported 6 events');
      const text = ext === 'jsonl.gz' ? execFileSync('zcat', [out], { encoding: 'utf8' }) : readFileSync(out, 'utf8');
      const rows = text.trim().split('\n');
      if (ext === 'csv') {
        expect(rows[0]).toBe('event_id,server_received_at,client_timestamp,sensor_id,matched_rules,deleted,payload,metadata');
        expect(rows).toHaveLength(7);
        expect(rows[1]!.startsWith(ids[0]!)).toBe(true);
      } else {
        // Oldest first by receipt: day 1 holds 0 and 6, day 2 holds 4 and 10, day 3 holds 2 and 8.
        expect(rows.map((l) => JSON.parse(l).event_id)).toEqual([0, 6, 4, 10, 2, 8].map((i) => ids[i]));
      }
    }
    expect(runTk(['export', '--out', join(dir, 'x.txt'), '--data-dir', data]).code).toBe(2);
  });

  it('stats --json describes the store', () => {
    const { data } = seeded();
    const s = JSON.parse(runTk(['stats', '--json', '--data-dir', data]).stdout);
    expect(s).toMatchObject({ events: 12, deleted: 0, markers: 0, firstReceivedAt: '2026-12-01T08:00:00.000000000Z' });
    expect(s.sensors.map((x: { sensor: string }) => x.sensor).sort()).toEqual(['s0', 's1']);
    expect(s.days.map((d: { day: string; compressed: boolean }) => [d.day, d.compressed])).toEqual([
      ['2026-12-01', true], ['2026-12-02', true], ['2026-12-03', true],
    ]);
  });
});

describe('tk verify and reindex', () => {
  function seededToday(): { data: string; dir: string } {
    const dir = tempDir();
    const data = join(dir, 'data');
    const now = new Date().toISOString();
    // Payloads keep the temperature the rule snapshot matched, so their evidence re-verifies.
    const items = Array.from({ length: 5 }, (_, i) => line({ server_received_at: now, payload: { i, word: 'abc', temperature: 95.5 } }));
    items.push(line({ server_received_at: '2026-11-01T00:00:00Z' }));
    expect(runTk(['import', '--data-dir', data, writeJsonl(join(dir, 'in.jsonl'), items)]).code).toBe(0);
    return { data, dir };
  }

  it('catches a hand-edited line, naming file and line', () => {
    const { data } = seededToday();
    const today = join(data, 'events', readdirSync(join(data, 'events')).find((f) => f.endsWith('.jsonl'))!);
    const text = readFileSync(today, 'utf8');
    const lines = text.split('\n');
    lines[2] = lines[2]!.replace('"word":"abc"', '"word":"abd"');
    lines[3] = lines[3]!.slice(0, -1); // drop the closing brace
    writeFileSync(today, lines.join('\n'));
    const r = runTk(['verify', '--json', '--data-dir', data]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const rel = join('events', today.split('/').at(-1)!);
    expect(report.findings).toEqual(expect.arrayContaining([
      { file: rel, line: 3, problem: expect.stringMatching(/payload SHA-256 differs/) },
      { file: rel, line: 4, problem: expect.stringMatching(/not valid JSON/) },
    ]));
    expect(runTk(['verify', '--data-dir', data]).stdout).toMatch(new RegExp(`${rel}:3: event .* payload SHA-256 differs`));
  });

  it('reports a missing index, and reindex rebuilds it with identical query results', () => {
    const { data } = seededToday();
    const before = runTk(['query', '--json', '--data-dir', data, '--include-deleted']).stdout;
    for (const s of ['', '-wal', '-shm']) rmSync(join(data, 'trapperkeeper.db' + s), { force: true });
    const v = runTk(['verify', '--data-dir', data]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/trapperkeeper\.db: the index is missing/);
    const re = runTk(['reindex', '--data-dir', data]);
    expect(re.code).toBe(0);
    expect(re.stdout).toMatch(/reindexed 6 events/);
    expect(runTk(['query', '--json', '--data-dir', data, '--include-deleted']).stdout).toBe(before);
    expect(runTk(['verify', '--data-dir', data]).code).toBe(0);
  });
});

describe('store ownership from the CLI', () => {
  it('refuses writing commands while a station runs, yet reads work', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    expect(runTk(['import', '--data-dir', data, writeJsonl(join(dir, 'in.jsonl'), [line()])]).code).toBe(0);
    const holder = spawn('sleep', ['30']);
    try {
      writeFileSync(join(data, 'station.lock'), `${holder.pid}\n`);
      for (const args of [['import', join(dir, 'in.jsonl')], ['delete', String(newUuid7()), '--reason', 'x'], ['reindex'], ['rules', 'import', join(REPO, 'test/fixtures/rules.json')]]) {
        const r = runTk([...args, '--data-dir', data]);
        expect(r.code, args[0]).toBe(1);
        expect(r.stderr).toContain(`station running (pid ${holder.pid})`);
      }
      const read = runTk(['query', '--json', '--data-dir', data]);
      expect(read.code).toBe(0);
      expect(read.stdout.trim().split('\n')).toHaveLength(1);
      expect(runTk(['stats', '--data-dir', data]).code).toBe(0);
      expect(runTk(['verify', '--data-dir', data]).code).toBe(0);
    } finally {
      holder.kill();
    }
    expect(existsSync(join(data, 'station.lock'))).toBe(true);
  });

  it('tells the user when a data dir holds nothing', () => {
    const r = runTk(['query', '--data-dir', join(tempDir(), 'nothing-here')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no TrapperKeeper data in/);
  });
});

describe('tk rules', () => {
  it('imports rules once, refuses a changed definition of a known id, and lists them', () => {
    const data = join(tempDir(), 'data');
    const fixture = join(REPO, 'test/fixtures/rules.json');
    const first = runTk(['rules', 'import', fixture, '--json', '--data-dir', data]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ added: 3, unchanged: 0, refused: 0, problems: [] });
    expect(JSON.parse(runTk(['rules', 'import', fixture, '--json', '--data-dir', data]).stdout)).toMatchObject({ unchanged: 3 });
    const changed = join(tempDir(), 'changed.json');
    writeFileSync(changed, JSON.stringify({ ...JSON.parse(readFileSync(fixture, 'utf8'))[0], name: 'Renamed' }));
    const refused = runTk(['rules', 'import', changed, '--data-dir', data]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/0193a0b0-0000-7000-8000-00000000000a is already stored with another definition \(rules are immutable\)/);
    const bad = join(tempDir(), 'bad.json');
    writeFileSync(bad, JSON.stringify([{ rule_id: '0193a0b0-0000-7000-8000-0000000000ff', name: 'x', action: 'observe', any: [{ all: [{ field: ['a'], op: 'near', value: 1 }] }] }]));
    const badRun = runTk(['rules', 'import', bad, '--data-dir', data]);
    expect(badRun.code).toBe(1);
    expect(badRun.stdout).toMatch(/rule 1\.any\[0\]\.all\[0\]\.op must be one of/);
    const list = JSON.parse(runTk(['rules', 'list', '--json', '--data-dir', data]).stdout);
    expect(list.rules.map((r: { name: string; state: string }) => [r.name, r.state])).toEqual([
      ['High temperature', 'active'], ['North field pressure', 'active'], ['Draft rule', 'draft'],
    ]);
    expect(list.etag).toMatch(/^[0-9a-f]{64}$/);
  });
});
