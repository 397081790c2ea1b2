// `tk`, the station's command line (PRODUCT §4 "CLI").
// Exit codes: 0 success; 1 the command ran but found problems; 2 usage error.
import { Command, CommanderError, Option } from 'commander';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { defaultDataDir, DataDir, DAY_PATTERN } from '../store/data-dir.js';
import { EventStore, StationRunningError, UnknownEventError, currentOwner } from '../store/event-store.js';
import { StoreReader, QueryError, type EventQuery } from '../store/store-reader.js';
import { verifyStore } from '../store/verify.js';
import { importFiles } from '../import/importer.js';
import { Instant, InstantError } from '../domain/instant.js';
import { isUuid7, newUuid7 } from '../domain/identifier.js';
import { parseRule, RuleError, type RuleDefinition } from '../domain/rule.js';
import { StationDb } from '../db/station-db.js';
import { StoreLock } from '../store/store-lock.js';
import { etagOf } from '../rules/rule-sync.js';
import { newApiKey, newHmacSecret } from '../domain/api-key.js';
import { STATION_VERSION } from '../version.js';
import { SensorListener, DEFAULT_MAX_MESSAGE_BYTES } from '../grpc/sensor-listener.js';
import { DEFAULT_BATCH_LIMIT } from '../ingest/report-events.js';
import { HttpBridge } from '../http/http-bridge.js';
import { ruleSources } from '../api/store-handlers.js';
import { stationApp } from '../api/station-app.js';
import { openInBrowser } from './open-browser.js';
import { diffRuleIds, UnknownRuleError } from '../rules/rule-versions.js';
import { RuleShapeError } from '../rules/compiled-rule.js';
import { FieldPathError } from '../rules/field-path.js';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { ProgressBar } from './progress.js';
import { formatTable } from './format.js';
import { exportEvents, formatOfFileName } from '../export/event-export.js';

class UsageError extends Error {}
/** The command ran and found a problem: exit 1 with this message. */
class Problem extends Error {}

interface Common {
  dataDir?: string;
  json?: boolean;
}

function dataDirOf(opts: Common): string {
  return opts.dataDir ?? defaultDataDir();
}

function out(line: string): void {
  process.stdout.write(line + '\n');
}

/** Opens the store as its writer, or explains who owns it. */
async function openWriter(root: string): Promise<EventStore> {
  try {
    return await EventStore.open(root, { rotationIntervalMs: 0, log: (m) => process.stderr.write(`tk: ${m}\n`) });
  } catch (e) {
    if (e instanceof StationRunningError) throw new Problem(e.message);
    throw e;
  }
}

/**
 * Runs a read against the store. When no station owns the data dir, this
 * process owns it for the moment, so recovery and index catch-up happen first;
 * otherwise it reads the owner's index read-only.
 */
async function withReader<T>(root: string, fn: (r: StoreReader) => T | Promise<T>): Promise<T> {
  const dir = new DataDir(root);
  if (!existsSync(dir.eventsDir) && !existsSync(dir.indexPath)) {
    throw new Problem(`no TrapperKeeper data in ${root} (set --data-dir or TK_DATA_DIR)`);
  }
  if (currentOwner(dir.lockPath) !== null) {
    const reader = StoreReader.openReadOnly(root);
    try {
      return await fn(reader);
    } finally {
      reader.close();
    }
  }
  const store = await openWriter(root);
  try {
    return await fn(store.reader);
  } finally {
    await store.close();
  }
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} takes a whole number ≥ 1, got ${JSON.stringify(text)}`);
  return n;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Reads station.db; works while a station owns the folder. */
function readStationDb(root: string, fn: (db: StationDb) => void): void {
  const path = new DataDir(root).stationPath;
  if (!existsSync(path)) throw new Problem(`no TrapperKeeper data in ${root}`);
  const db = StationDb.open(path, { readonly: true });
  try {
    fn(db);
  } finally {
    db.close();
  }
}

/** Runs a write against station.db as the data dir's one writer. */
async function withStationDb<T>(root: string, fn: (db: StationDb, tenant: string) => T): Promise<T> {
  const dir = new DataDir(root);
  mkdirSync(root, { recursive: true });
  let lock: StoreLock;
  try {
    lock = StoreLock.acquire(dir.lockPath);
  } catch (e) {
    if (e instanceof StationRunningError) throw new Problem(e.message);
    throw e;
  }
  try {
    const db = StationDb.open(dir.stationPath);
    try {
      return fn(db, db.ensureTenant(newUuid7, Instant.fromEpochMillis(Date.now()).toString()));
    } finally {
      db.close();
    }
  } finally {
    lock.release();
  }
}

function parseTime(text: string | undefined, flag: string): string | undefined {
  if (text === undefined) return undefined;
  try {
    return Instant.normalize(text);
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as InstantError).message}`);
  }
}

interface FilterFlags extends Common {
  sensor?: string;
  rule?: string;
  meta?: string[];
  text?: string;
  where?: string;
  verification?: 'agrees' | 'disagrees' | 'not_verifiable';
  since?: string;
  until?: string;
  by?: 'received' | 'client';
  includeDeleted?: boolean;
  order?: 'asc' | 'desc';
  limit?: string;
  cursor?: string;
}

function toQuery(o: FilterFlags): EventQuery {
  const meta = (o.meta ?? []).map((kv): [string, string] => {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--meta takes key=value, got ${JSON.stringify(kv)}`);
    return [kv.slice(0, eq), kv.slice(eq + 1)];
  });
  let limit: number | undefined;
  if (o.limit !== undefined) {
    limit = Number(o.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit takes a whole number ≥ 1, got ${JSON.stringify(o.limit)}`);
  }
  return {
    since: parseTime(o.since, '--since'),
    until: parseTime(o.until, '--until'),
    by: o.by ?? 'received',
    sensor: o.sensor,
    rule: o.rule,
    meta,
    text: o.text,
    where: o.where,
    verification: o.verification,
    includeDeleted: o.includeDeleted ?? false,
    order: o.order ?? 'desc',
    limit,
    cursor: o.cursor,
  };
}

function addFilterOptions(cmd: Command): Command {
  return cmd
    .option('--sensor <id>', 'only events of this sensor')
    .option('--rule <rule-id>', 'only events that matched this rule')
    .option('--meta <key=value>', 'only events with this metadata pair (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--text <words>', 'case-insensitive words, each found in a payload or metadata value')
    .option('--where <condition>', "a payload condition in the rule language, e.g. '$.devices[*].temperature > 90'")
    .addOption(new Option('--verification <verdict>', 'only events whose recorded rule match re-verifies so').choices(['agrees', 'disagrees', 'not_verifiable']))
    .option('--since <time>', 'from this RFC 3339 time (inclusive)')
    .option('--until <time>', 'up to this RFC 3339 time (exclusive)')
    .addOption(new Option('--by <field>', 'which time --since/--until and the order use').choices(['received', 'client']).default('received'))
    .option('--include-deleted', 'also events hidden by a delete marker');
}

function addCommon(cmd: Command, json = true): Command {
  cmd.option('--data-dir <dir>', 'the station data folder (default: $TK_DATA_DIR or the app-data folder)');
  if (json) cmd.option('--json', 'machine-readable output');
  return cmd;
}

export function buildProgram(): Command {
  const program = new Command('tk')
    .description('TrapperKeeper Desktop station: keep and inspect TrapperKeeper sensor events offline')
    .version(STATION_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  addCommon(
    program
      .command('serve')
      .description('run the station: receive sensor events over gRPC until stopped (Ctrl-C)')
      .option('--grpc <host:port>', 'gRPC listen address (port 0 picks a free port)', '127.0.0.1:50051')
      .option('--http <host:port>', 'HTTP bridge for the UI (token-guarded; port 0 picks a free port)', '127.0.0.1:8080')
      .option('--no-http', 'run the gRPC listener alone')
      .option('--batch-limit <n>', 'most events per ReportEvents call', String(DEFAULT_BATCH_LIMIT))
      .option('--max-message-bytes <n>', 'largest request accepted', String(DEFAULT_MAX_MESSAGE_BYTES))
      .option('--require-api-key', 'sensors must present an API key (always so beyond loopback; see tk keys)')
      .option('--open', 'open the UI in the default browser once ready')
      .option('--evaluate', "evaluate the station's ACTIVE rules for events reported without a match, and store the evidence")
      .option('--timings <file>', 'on exit, write each ReportEvents call\'s station time (ms) to FILE as JSON (npm run bench)'),
    false,
  ).action(async (o: Common & { grpc: string; http: string | false; batchLimit: string; maxMessageBytes: string; requireApiKey?: boolean; timings?: string; open?: boolean; evaluate?: boolean }) => {
    const batchLimit = positiveInt(o.batchLimit, '--batch-limit');
    const maxMessageBytes = positiveInt(o.maxMessageBytes, '--max-message-bytes');
    const m = /^(.+):(\d+)$/.exec(o.grpc);
    if (!m) throw new UsageError(`--grpc takes HOST:PORT, got ${JSON.stringify(o.grpc)}`);
    const requireApiKey = o.requireApiKey === true || !isLoopback(m[1]!);
    const callTimes: number[] = [];
    const log = (msg: string) => process.stderr.write(`tk: ${msg}\n`);
    let store: EventStore;
    try {
      store = await EventStore.open(dataDirOf(o), { log });
    } catch (e) {
      if (e instanceof StationRunningError) throw new Problem(e.message);
      throw e;
    }
    let listener: SensorListener;
    try {
      listener = await SensorListener.start(store, {
        address: o.grpc,
        batchLimit,
        maxMessageBytes,
        requireApiKey,
        evaluate: o.evaluate === true,
        log,
        ...(o.timings ? { onCallTime: (ms: number) => callTimes.push(ms) } : {}),
      });
    } catch (e) {
      await store.close();
      throw new Problem(`cannot listen on ${o.grpc}: ${(e as Error).message}`);
    }
    if (requireApiKey && store.station.storedKeys().every((k) => k.revoked)) {
      log('no API key can be used yet: every sensor will be refused until you stop the station and run tk keys create');
    }
    let bridge: HttpBridge | undefined;
    // The app API, with scans of many rows on a thread of their own: sensors and pages are not kept waiting.
    const app = stationApp(store, listener);
    if (o.http !== false) {
      try {
        bridge = await HttpBridge.start({
          address: o.http,
          dispatch: app.dispatch,
          download: app.download,
          subscribe: app.subscribe,
          uiDir: join(PACKAGE_ROOT, 'dist', 'renderer'),
          log: (l) => log(`http ${l}`),
        });
      } catch (e) {
        await listener.stop();
        await store.close();
        throw new Problem(`cannot listen on ${o.http}: ${(e as Error).message}`);
      }
    }
    out(`grpc: ${listener.address}`);
    if (bridge) out(`ui: ${bridge.url}`);
    if (bridge && o.open) openInBrowser(bridge.url, log);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    log('stopping: finishing calls in flight');
    await bridge?.stop();
    await app.close();
    await listener.stop();
    await store.close();
    if (o.timings) writeFileSync(o.timings, JSON.stringify(callTimes));
  });

  const keys = program.command('keys').description('API keys sensors present (x-api-key) when the station requires them');
  addCommon(keys.command('create').description('make a key; it is printed once and only its HMAC is kept').argument('<name>')).action(
    async (name: string, o: Common) => {
      if (name.trim() === '') throw new UsageError('a key needs a name');
      const made = await withStationDb(dataDirOf(o), (db, tenant) => {
        const now = Instant.fromEpochMillis(Date.now()).toString();
        const secret = db.hmacSecret(newHmacSecret, now);
        const { key, keyHash } = newApiKey(secret);
        const apiKeyId = newUuid7();
        db.addApiKey({ apiKeyId, tenantId: tenant, name, secretId: secret.secretId, keyHash, createdAt: now });
        return { apiKeyId, name, key, createdAt: now };
      });
      if (o.json) out(JSON.stringify({ api_key_id: made.apiKeyId, name: made.name, key: made.key, created_at: made.createdAt }));
      else {
        out(made.key);
        process.stderr.write(`key ${made.apiKeyId} (${made.name}): copy it now, it cannot be shown again\n`);
      }
    },
  );
  addCommon(keys.command('list').description('list keys (never the keys themselves)')).action((o: Common) =>
    readStationDb(dataDirOf(o), (db) => {
      const all = db.apiKeys();
      if (o.json) return out(JSON.stringify({ keys: all }));
      if (all.length === 0) return out('(no keys)');
      for (const k of all) out(`${k.api_key_id}  ${k.revoked_at ? `revoked ${k.revoked_at}` : 'active'.padEnd(38)}  ${k.name}`);
    }),
  );
  addCommon(keys.command('revoke').description('stop a key from working (kept for the audit trail)').argument('<key-id>')).action(
    async (id: string, o: Common) => {
      const done = await withStationDb(dataDirOf(o), (db) => db.revokeApiKey(id.toLowerCase(), Instant.fromEpochMillis(Date.now()).toString()));
      if (!done) throw new Problem(`no key ${id}`);
      out(o.json ? JSON.stringify({ api_key_id: id.toLowerCase(), revoked: true }) : `revoked ${id}`);
    },
  );

  const rules = program.command('rules').description('the rules this station serves to sensors (SyncRules)');
  addCommon(
    rules
      .command('import')
      .description('add rules from a JSON file (one rule, an array of rules, or JSONL) in upstream\'s rule shape')
      .argument('<file>'),
  ).action(async (file: string, o: Common) => {
    if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
    const text = readFileSync(file, 'utf8');
    let values: unknown[];
    try {
      const parsed: unknown = JSON.parse(text);
      values = Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      try {
        values = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
      } catch (e) {
        throw new Problem(`${file} is neither JSON nor JSON Lines: ${(e as Error).message}`);
      }
    }
    const now = Instant.fromEpochMillis(Date.now());
    const problems: Array<{ rule: number; reason: string }> = [];
    const defs: RuleDefinition[] = [];
    values.forEach((v, i) => {
      try {
        defs.push(parseRule(v, `rule ${i + 1}`));
      } catch (e) {
        if (e instanceof RuleError) problems.push({ rule: i + 1, reason: e.message });
        else throw e;
      }
    });
    const outcomes = problems.length > 0 ? [] : await withStationDb(dataDirOf(o), (db, tenant) => db.importRules(defs, tenant, now.toString()));
    defs.forEach((d, i) => {
      if (outcomes[i] === 'refused') problems.push({ rule: i + 1, reason: `rule ${d.rule_id} is already stored with another definition (rules are immutable)` });
    });
    const summary = {
      added: outcomes.filter((x) => x === 'added').length,
      unchanged: outcomes.filter((x) => x === 'unchanged').length,
      refused: problems.length,
      problems,
    };
    if (o.json) out(JSON.stringify(summary));
    else {
      out(problems.length > 0 && outcomes.length === 0 ? 'nothing imported:' : `added ${summary.added}, unchanged ${summary.unchanged}, refused ${summary.refused}`);
      for (const p of problems) out(`  ${p.reason}`);
    }
    if (problems.length > 0) process.exitCode = 1;
  });
  addCommon(
    rules
      .command('diff')
      .description("what changed between two versions of a rule (from the station's rules or the snapshots events carry)")
      .argument('<from-rule-id>')
      .argument('<to-rule-id>'),
  ).action(async (fromId: string, toId: string, o: Common) => {
    const root = dataDirOf(o);
    let stationRules: object[] = [];
    if (existsSync(new DataDir(root).stationPath)) readStationDb(root, (db) => (stationRules = db.rules()));
    const diff = await withReader(root, (r) => {
      try {
        return diffRuleIds(ruleSources(r, () => stationRules), fromId, toId);
      } catch (e) {
        if (e instanceof UnknownRuleError || e instanceof RuleShapeError || e instanceof FieldPathError) throw new Problem(e.message);
        throw e;
      }
    });
    if (o.json) return out(JSON.stringify(diff));
    const v = (x: typeof diff.from) => `${x.ruleId} "${x.name}" (${x.source}${x.createdAt ? `, created ${x.createdAt}` : ''}, ${x.events} events)`;
    out(`from ${v(diff.from)}`);
    out(`to   ${v(diff.to)}`);
    if (diff.changes.length === 0) return out('no changes');
    for (const c of diff.changes) {
      if (c.kind === 'added') out(`+ ${c.what}: ${c.to}`);
      else if (c.kind === 'removed') out(`- ${c.what}: ${c.from}`);
      else out(`~ ${c.what}: ${c.from} → ${c.to}`);
    }
  });
  addCommon(rules.command('list').description('list stored rules')).action((o: Common) =>
    readStationDb(dataDirOf(o), (db) => {
      const all = db.rules();
      if (o.json) return out(JSON.stringify({ rules: all, etag: etagOf(all.filter((r) => r.state === 'active')) }));
      if (all.length === 0) return out('(no rules)');
      for (const r of all) {
        out(`${r.rule_id}  ${r.state.padEnd(8)}  ${r.action.padEnd(7)}  ${r.name}${r.tags.length ? `  [${r.tags.join(', ')}]` : ''}`);
      }
    }),
  );

  addCommon(
    program
      .command('import')
      .description('import stored event lines (JSONL or .jsonl.gz) from another station')
      .argument('<files...>', 'files to import'),
  ).action(async (files: string[], o: Common) => {
    for (const f of files) if (!existsSync(f)) throw new UsageError(`no such file: ${f}`);
    const store = await openWriter(dataDirOf(o));
    const bar = new ProgressBar('importing');
    let summary;
    try {
      summary = await importFiles(store, files, (p) => bar.update(p.bytesRead, p.bytesTotal, `${p.lines} lines`));
    } finally {
      bar.done();
      await store.close();
    }
    if (o.json) out(JSON.stringify(summary));
    else {
      out(`imported ${summary.imported}, duplicates ${summary.duplicates}, rejected ${summary.rejected} (${summary.lines} lines in ${summary.files} files)`);
      for (const r of summary.rejections) out(`  ${r.file}:${r.line}: ${r.reason}`);
      if (summary.rejected > summary.rejections.length) out(`  … and ${summary.rejected - summary.rejections.length} more`);
    }
    if (summary.rejected > 0) process.exitCode = 1;
  });

  addCommon(
    addFilterOptions(program.command('query').description('list stored events, newest first'))
      .addOption(new Option('--order <order>', 'time order').choices(['asc', 'desc']).default('desc'))
      .option('--limit <n>', 'events per page', '100')
      .option('--cursor <cursor>', 'continue after a previous page (printed as next-cursor: on stderr)'),
  ).action(async (o: FilterFlags) => {
    const q = toQuery(o);
    await withReader(dataDirOf(o), (r) => {
      const page = r.query(q);
      if (o.json) for (const e of page.events) out(e.line);
      else out(formatTable(page.events, process.stdout.columns ?? 160));
      if (page.nextCursor) process.stderr.write(`next-cursor: ${page.nextCursor}\n`);
    });
  });

  addCommon(program.command('get').description('show one stored event').argument('<event-id>')).action(
    async (id: string, o: Common) => {
      if (!isUuid7(id)) throw new UsageError(`${JSON.stringify(id)} is not a UUIDv7 event id`);
      await withReader(dataDirOf(o), (r) => {
        const found = r.get(id);
        if (!found) throw new Problem(`no event ${id}`);
        if (o.json) return out(found.line);
        out(JSON.stringify(found.event, null, 2));
        const origin = found.row.origin ? `, arrived by ${found.row.origin}` : '';
        out(`-- stored in the ${r.files.segment(found.row.segment_id).day} day file at byte ${found.row.line_offset}${origin}`);
        for (const m of found.markers) out(`-- deleted at ${m.marked_at}: ${m.reason} (marker ${m.marker_id})`);
      });
    },
  );

  addCommon(
    program
      .command('delete')
      .description('hide an event behind a delete marker (the line itself stays, append-only)')
      .argument('<event-id>')
      .requiredOption('--reason <text>', 'why it is deleted (kept in the marker)'),
  ).action(async (id: string, o: Common & { reason: string }) => {
    if (!isUuid7(id)) throw new UsageError(`${JSON.stringify(id)} is not a UUIDv7 event id`);
    if (o.reason.trim() === '') throw new UsageError('--reason must not be empty');
    const store = await openWriter(dataDirOf(o));
    try {
      const marker = await store.markDeleted(id.toLowerCase(), o.reason);
      out(o.json ? JSON.stringify(marker) : `deleted ${id} (marker ${marker.marker_id})`);
    } catch (e) {
      if (e instanceof UnknownEventError) throw new Problem(e.message);
      throw e;
    } finally {
      await store.close();
    }
  });

  addCommon(
    addFilterOptions(program.command('export').description('write matching events to a file (.jsonl, .jsonl.gz or .csv)'))
      .addOption(new Option('--order <order>', 'time order').choices(['asc', 'desc']).default('asc'))
      .requiredOption('--out <file>', 'output file; its extension picks the format'),
    false,
  ).action(async (o: FilterFlags & { out: string }) => {
    const format = formatOfFileName(o.out);
    if (!format) throw new UsageError(`--out must end in .jsonl, .jsonl.gz or .csv, got ${JSON.stringify(o.out)}`);
    const q = toQuery(o);
    const n = await withReader(dataDirOf(o), async (r) => {
      // Written beside the target and renamed when complete: a cut-short export leaves no half file under its name.
      const tmp = `${o.out}.partial`;
      const made = exportEvents(r, q, format);
      try {
        await pipeline(made.body, createWriteStream(tmp));
      } catch (e) {
        rmSync(tmp, { force: true });
        throw e;
      }
      renameSync(tmp, o.out);
      return made.count();
    });
    process.stderr.write(`exported ${n} events to ${o.out}\n`);
  });

  addCommon(program.command('verify').description('check every line against the index (changes nothing)')).action(
    async (o: Common) => {
      const root = dataDirOf(o);
      if (!existsSync(new DataDir(root).eventsDir)) throw new Problem(`no TrapperKeeper data in ${root}`);
      const report = verifyStore(root);
      if (o.json) out(JSON.stringify(report));
      else {
        out(`${report.files} files, ${report.lines} lines (${report.events} events, ${report.markers} markers): ${report.findings.length === 0 ? 'OK' : `${report.findings.length} problems`}`);
        for (const f of report.findings) out(`  ${f.file}${f.line ? `:${f.line}` : ''}: ${f.problem}`);
        if (report.suspiciousCount > 0) {
          const more = report.suspiciousCount > report.suspicious.length ? ` (the first ${report.suspicious.length}; tk query --verification disagrees lists all)` : '';
          out(`${report.suspiciousCount} events whose recorded rule match does not hold against their payload${more}:`);
          for (const s of report.suspicious) out(`  ${s.file}:${s.line}: event ${s.event_id}: ${s.reasons.join('; ')}`);
        }
        if (report.notVerifiable > 0) out(`${report.notVerifiable} events carry a rule snapshot that cannot be evaluated (tk query --verification not_verifiable)`);
      }
      if (!report.ok) process.exitCode = 1;
    },
  );

  addCommon(program.command('reindex').description('rebuild the index from the day files'), false).action(async (o: Common) => {
    const root = dataDirOf(o);
    const dir = new DataDir(root);
    const owner = currentOwner(dir.lockPath);
    if (owner !== null) throw new Problem(`station running (pid ${owner})`);
    for (const suffix of ['', '-wal', '-shm']) rmSync(dir.indexPath + suffix, { force: true });
    const started = process.hrtime.bigint();
    const days = existsSync(dir.eventsDir) ? readdirSync(dir.eventsDir).filter((f) => DAY_PATTERN.test(f)).sort() : [];
    const bar = new ProgressBar('reindexing');
    let store: EventStore;
    try {
      store = await EventStore.open(root, {
        rotationIntervalMs: 0,
        onCatchUp: (day, lines) => bar.update(days.findIndex((f) => f.startsWith(day)), days.length, `${day}: ${lines} lines`),
      });
    } catch (e) {
      if (e instanceof StationRunningError) throw new Problem(e.message);
      throw e;
    } finally {
      bar.done();
    }
    const stats = store.reader.stats();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const u of store.recovery.unreadable) process.stderr.write(`tk: ${u.file}:${u.line}: ${u.problem}\n`);
    await store.close();
    out(`reindexed ${stats.events} events (${stats.markers} markers) from ${stats.days.length} day files in ${seconds.toFixed(1)} s`);
  });

  addCommon(program.command('stats').description('what the store holds')).action(async (o: Common) => {
    await withReader(dataDirOf(o), (r) => {
      const s = r.stats();
      const bytes = s.days.reduce((a, d) => a + d.file_size, 0);
      if (o.json) return out(JSON.stringify({ dataDir: dataDirOf(o), ...s, fileBytes: bytes }));
      out(`data dir: ${dataDirOf(o)}`);
      out(`events: ${s.events} (${s.deleted} deleted), markers: ${s.markers}`);
      out(`received: ${s.firstReceivedAt ?? '-'} .. ${s.lastReceivedAt ?? '-'}`);
      out(`files: ${s.days.length} days, ${bytes} bytes on disk`);
      for (const d of s.days) out(`  ${d.day}${d.compressed ? '.jsonl.gz' : '.jsonl   '}  ${String(d.events).padStart(9)} events  ${d.file_size} bytes`);
      out(`sensors: ${s.sensors.length}`);
      for (const x of s.sensors.slice(0, 20)) out(`  ${x.sensor}: ${x.events} events, last ${x.last_seen}`);
    });
  });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  // `tk query --json | head`: a closed pipe ends the output, not the program with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    }
    if (e instanceof UsageError || e instanceof QueryError) {
      process.stderr.write(`tk: ${e.message}\n`);
      return 2;
    }
    if (e instanceof Problem) {
      process.stderr.write(`tk: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`tk: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}
