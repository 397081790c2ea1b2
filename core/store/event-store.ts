// The station's storage engine (PRODUCT §3, §5; issue "station core" §3).
//
// Truth is the day files under events/; the SQLite index follows them. A batch
// is written to each day file with one write and made durable (fdatasync)
// before its events count as stored; only then is it indexed. Whatever the
// index lacks after a crash is caught up from the files on the next open.
import { closeSync, existsSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync,
  renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { fdatasync, write } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { DataDir, DAY_PATTERN } from './data-dir.js';
import { StoreLock, StationRunningError, currentOwner } from './store-lock.js';
import { dayFileBlocks } from './segment-files.js';
import { LinePool } from '../parallel/line-pool.js';
import { compressLines, describeMembers, walkMembers, type GzBlock } from './blocked-gzip.js';
import { EventIndex, type IndexedEvent, type IndexedMarker, type SegmentProgress, type BlockRow } from '../db/event-index.js';
import { StationDb } from '../db/station-db.js';
import { Instant } from '../domain/instant.js';
import { systemClock, type Clock } from '../domain/system-clock.js';
import { newUuid7 } from '../domain/identifier.js';
import { encodeMarker, parseOwnLine, type EncodedEvent, type MarkerLine } from '../domain/event-line.js';
import { userMetadataKey } from '../domain/metadata.js';
import type { BlockFacts } from './block-facts.js';
import { StoreReader } from './store-reader.js';

const writeAsync = promisify(write);
const fdatasyncAsync = promisify(fdatasync);

/** Lines dated further than this into the station's future are refused (clock error). */
export const MAX_FUTURE_SECONDS = 24 * 3600;
const CATCH_UP_BATCH = 1000;
/** Day files above this size, with an empty index, are loaded in bulk (indexes built at the end). */
const BULK_LOAD_BYTES = 16 * 1024 * 1024;
const NEWLINE = Buffer.from('\n');
/** Gzip members per worker task during catch-up (about 1 MB of lines). */
const CATCH_UP_MEMBERS = 8;
/** Catch-up commits this many rows per transaction. */
const COMMIT_EVERY = 10_000;

export type AppendOutcome =
  | { status: 'stored' }
  | { status: 'duplicate' }
  | { status: 'rejected'; reason: string }
  | { status: 'error'; reason: string };

export interface StoreOptions {
  clock?: Clock;
  /** How often the owner looks for finished days to compress; 0 disables the timer. */
  rotationIntervalMs?: number;
  /** Progress and recovery reports. */
  log?: (message: string) => void;
  /** Called as the index catches up with the files on open (lines read so far in that day file). */
  onCatchUp?: (day: string, lines: number) => void;
}

export interface RecoveryReport {
  /** Torn last lines moved to quarantine: file, bytes, quarantine path. */
  tornTails: Array<{ file: string; bytes: number; quarantinedTo: string }>;
  /** Lines the index lacked and took in from the files. */
  caughtUp: number;
  /** Index rows dropped because they pointed past the end of a file. */
  dropped: number;
  /** Lines in the files that could not be read as JSON. */
  unreadable: Array<{ file: string; line: number; problem: string }>;
}

interface OpenSegment {
  id: number;
  day: string;
  compressed: boolean;
  path: string;
  fd: number;
  rawSize: number;
  fileSize: number;
  /** Serialises writes to this file. */
  queue: Promise<unknown>;
}

interface Placed {
  /** Position in the batch: rows are indexed in arrival order whichever day file finished first. */
  at: number;
  event: EncodedEvent;
  seg: OpenSegment;
  offset: number;
  length: number;
}

/** What one commit changed (for live updates). */
export interface StoreChange {
  stored: number;
  deleted: number;
  /** Latest receipt time among the stored events; null when none were stored. */
  lastReceivedAt: string | null;
}

export class EventStore {
  readonly reader: StoreReader;
  private readonly open = new Map<string, OpenSegment>();
  /**
   * Writes that index lines run one after another: a segment's indexed size
   * may only advance over lines whose rows are committed, or a crash between
   * two overlapping appends would leave lines the catch-up never reads.
   */
  private writeTurn: Promise<unknown> = Promise.resolve();
  private waiting: Array<{
    events: EncodedEvent[];
    origin: string | null;
    resolve: (o: AppendOutcome[]) => void;
    reject: (e: Error) => void;
  }> = [];
  private readonly watchers = new Set<(change: StoreChange) => void>();
  private rotationTimer: NodeJS.Timeout | undefined;
  private rotating: Promise<void> | undefined;
  private closed = false;

  private constructor(
    readonly dir: DataDir,
    readonly index: EventIndex,
    readonly station: StationDb,
    readonly tenantId: string,
    private readonly lock: StoreLock,
    private readonly clock: Clock,
    private readonly log: (m: string) => void,
    readonly recovery: RecoveryReport,
  ) {
    this.reader = new StoreReader(dir, index);
  }

  /** Opens a data dir as its one writer: takes the lock, recovers, catches the index up. */
  static async open(root: string, opts: StoreOptions = {}): Promise<EventStore> {
    const dir = new DataDir(root);
    mkdirSync(dir.processingDir, { recursive: true });
    const lock = StoreLock.acquire(dir.lockPath);
    let index: EventIndex | undefined;
    let station: StationDb | undefined;
    try {
      const clock = opts.clock ?? systemClock;
      const log = opts.log ?? (() => {});
      station = StationDb.open(dir.stationPath);
      const tenantId = station.ensureTenant(newUuid7, clock.now().toString());
      index = EventIndex.open(dir.indexPath);
      index.setTenant(tenantId);
      const recovery = await recover(dir, index, log, opts.onCatchUp);
      const store = new EventStore(dir, index, station, tenantId, lock, clock, log, recovery);
      // Finished days found plain are compressed in the background; close() waits for it.
      store.rotateFinishedDays().catch((e) => log(`rotation failed: ${(e as Error).message}`));
      if ((opts.rotationIntervalMs ?? 60_000) > 0) {
        store.rotationTimer = setInterval(() => void store.rotateFinishedDays().catch((e) => log(`rotation failed: ${e}`)),
          opts.rotationIntervalMs ?? 60_000);
        store.rotationTimer.unref();
      }
      return store;
    } catch (e) {
      index?.close();
      station?.close();
      lock.release();
      throw e;
    }
  }

  now(): Instant {
    return this.clock.now();
  }

  /** Calls `fn` after each commit that stored events or markers (live updates); returns the unsubscribe. */
  watch(fn: (change: StoreChange) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  private changed(change: StoreChange): void {
    for (const fn of this.watchers) {
      try {
        fn(change);
      } catch (e) {
        this.log(`a store watcher failed: ${(e as Error).message}`);
      }
    }
  }

  today(): string {
    return this.clock.now().utcDate();
  }

  // ---- append ----

  /**
   * Stores a batch. Each event's outcome is returned in order: `stored` once its
   * line is durable, `duplicate` for a resend equal to what is stored,
   * `rejected` for a conflicting resend or a clock error, `error` when the
   * file could not be written (nothing of it is left in the file).
   */
  append(events: EncodedEvent[], origin: string | null): Promise<AppendOutcome[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, origin, resolve, reject });
      if (this.waiting.length === 1) void this.inTurn(() => this.appendWaiting());
    });
  }

  /**
   * Group commit: every append that queued up while the previous one was
   * being written and fsynced goes out in one write, one fsync and one index
   * transaction (same origin only), then each caller gets its own outcomes.
   */
  private async appendWaiting(): Promise<void> {
    const origin = this.waiting[0]?.origin ?? null;
    const group = this.waiting.filter((w) => w.origin === origin);
    this.waiting = this.waiting.filter((w) => w.origin !== origin);
    if (this.waiting.length > 0) void this.inTurn(() => this.appendWaiting());
    if (group.length === 0) return;
    try {
      const outcomes = await this.appendNow(group.length === 1 ? group[0]!.events : group.flatMap((g) => g.events), origin);
      let at = 0;
      for (const g of group) {
        g.resolve(outcomes.slice(at, at + g.events.length));
        at += g.events.length;
      }
    } catch (e) {
      for (const g of group) g.reject(e as Error);
    }
  }

  private inTurn<T>(job: () => Promise<T>): Promise<T> {
    const run = this.writeTurn.then(job);
    this.writeTurn = run.catch(() => {});
    return run;
  }

  private async appendNow(events: EncodedEvent[], origin: string | null): Promise<AppendOutcome[]> {
    if (this.closed) throw new Error('store is closed');
    const outcomes: AppendOutcome[] = new Array(events.length);
    const limit = this.clock.now().plusSeconds(MAX_FUTURE_SECONDS).toString();
    const byDay = new Map<string, number[]>();
    const inBatch = new Map<string, EncodedEvent>(); // the same id twice in one batch
    const stored = this.index.lookupMany(events.map((e) => e.eventId));
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const id = e.eventId;
      if (e.receivedTs > limit) {
        outcomes[i] = {
          status: 'rejected',
          reason: `server_received_at ${e.receivedTs} is more than 24 h in the station's future (clock error)`,
        };
        continue;
      }
      const earlier = inBatch.get(id);
      if (earlier) {
        outcomes[i] = sameContent(earlier, e) ? { status: 'duplicate' } : conflict();
        continue;
      }
      const row = stored.get(id);
      if (row) {
        const same = Buffer.from(row.payload_sha256).equals(e.payloadSha256) && this.sameAsStored(row, e);
        outcomes[i] = same ? { status: 'duplicate' } : conflict();
        continue;
      }
      inBatch.set(id, e);
      const day = e.receivedTs.slice(0, 10);
      let list = byDay.get(day);
      if (!list) byDay.set(day, (list = []));
      list.push(i);
    }
    {
      const placed: Placed[] = [];
      const progress: SegmentProgress[] = [];
      await Promise.all(
        [...byDay].map(async ([day, idx]) => {
          try {
            const seg = this.segmentFor(day);
            const result = await this.writeLines(seg, idx.map((i) => events[i]!.line));
            idx.forEach((i, k) => {
              placed.push({ at: i, event: events[i]!, seg, offset: result.offsets[k]!, length: events[i]!.line.length });
              outcomes[i] = { status: 'stored' };
            });
            progress.push(result.progress);
          } catch (err) {
            const reason = `storage failure: ${(err as Error).message}`;
            for (const i of idx) outcomes[i] = { status: 'error', reason };
          }
        }),
      );
      if (placed.length > 0 || progress.length > 0) {
        placed.sort((a, b) => a.at - b.at);
        this.index.commit(placed.map((p) => toIndexed(p, origin)), [], progress);
        if (placed.length > 0) {
          let last = placed[0]!.event.receivedTs;
          for (const p of placed) if (p.event.receivedTs > last) last = p.event.receivedTs;
          this.changed({ stored: placed.length, deleted: 0, lastReceivedAt: last });
        }
      }
    }
    return outcomes;
  }

  private sameAsStored(row: { segment_id: number; line_offset: number; line_length: number }, e: EncodedEvent): boolean {
    const stored = parseOwnLine(this.reader.lineOf(row));
    if (stored.kind !== 'event') return false;
    const fromReceipt = e.clientTsFromReceipt || stored.event.audit?.client_timestamp_source === 'receipt';
    return (fromReceipt || stored.event.client_timestamp === e.clientTs) && userMetadataKey(stored.event.metadata) === e.userMetadataKey;
  }

  /** The open segment for a day: today's plain file, a finished day's gz (made if missing). */
  private segmentFor(day: string): OpenSegment {
    let seg = this.open.get(day);
    if (seg) return seg;
    const existing = this.index.segments().find((s) => s.day === day);
    const compressed = existing ? existing.compressed === 1 : day < this.today();
    const row = existing ?? this.index.ensureSegment(day, compressed);
    const path = this.dir.dayPath(day, compressed);
    const fd = openSync(path, 'a');
    if (!existing) fsyncDir(this.dir.eventsDir);
    seg = { id: row.id, day, compressed, path, fd, rawSize: row.raw_size, fileSize: row.file_size, queue: Promise.resolve() };
    this.open.set(day, seg);
    return seg;
  }

  /** Appends whole lines to a day file, durably, one batch at a time per file. */
  private writeLines(seg: OpenSegment, lines: Uint8Array[]): Promise<{ offsets: number[]; progress: SegmentProgress }> {
    const job = seg.queue.then(async () => {
      const offsets: number[] = [];
      const parts: Uint8Array[] = [];
      let at = seg.rawSize;
      for (const l of lines) {
        offsets.push(at);
        parts.push(l, NEWLINE);
        at += l.length + 1;
      }
      const raw = Buffer.concat(parts, at - seg.rawSize);
      let bytes: Buffer;
      let blocks: BlockRow[] | undefined;
      if (seg.compressed) {
        const members = await compressLines(raw);
        blocks = describeMembers(members, seg.fileSize, seg.rawSize).map(toBlockRow);
        bytes = members.length === 1 ? members[0]! : Buffer.concat(members);
      } else {
        bytes = raw;
      }
      try {
        let written = 0;
        while (written < bytes.length) {
          const { bytesWritten } = await writeAsync(seg.fd, bytes, written, bytes.length - written, null);
          written += bytesWritten;
        }
        await fdatasyncAsync(seg.fd);
      } catch (err) {
        // Leave nothing partial behind: cut the file back to where this batch began.
        try {
          ftruncateSync(seg.fd, seg.fileSize);
          fdatasyncSync(seg.fd);
        } catch {
          /* the original error is the one to report */
        }
        throw err;
      }
      seg.rawSize += raw.length;
      seg.fileSize += bytes.length;
      return {
        offsets,
        progress: { segmentId: seg.id, rawSize: seg.rawSize, fileSize: seg.fileSize, ...(blocks ? { blocks } : {}) },
      };
    });
    seg.queue = job.catch(() => {});
    return job;
  }

  // ---- delete ----

  /** Soft-deletes an event by appending a marker line to today's file. */
  markDeleted(eventId: string, reason: string): Promise<MarkerLine> {
    return this.inTurn(() => this.markDeletedNow(eventId, reason));
  }

  private async markDeletedNow(eventId: string, reason: string): Promise<MarkerLine> {
    if (!this.index.lookup(eventId)) throw new UnknownEventError(eventId);
    const marker: MarkerLine = {
      marker: 'delete',
      marker_id: newUuid7(),
      event_id: eventId,
      marked_at: this.clock.now().toString(),
      reason,
    };
    const text = encodeMarker(marker);
    const seg = this.segmentFor(this.today());
    const { offsets, progress } = await this.writeLines(seg, [Buffer.from(text)]);
    const m: IndexedMarker = {
      markerId: marker.marker_id,
      eventId,
      markedAt: marker.marked_at,
      reason,
      segmentId: seg.id,
      offset: offsets[0]!,
      length: Buffer.byteLength(text),
    };
    this.index.commit([], [m], [progress]);
    this.changed({ stored: 0, deleted: 1, lastReceivedAt: null });
    return marker;
  }

  /**
   * Stores a marker line that came from another station (import), filed under
   * its own marked_at day. A marker id already stored is a duplicate.
   */
  importMarker(marker: MarkerLine): Promise<AppendOutcome> {
    return this.inTurn(() => this.importMarkerNow(marker));
  }

  private async importMarkerNow(marker: MarkerLine): Promise<AppendOutcome> {
    if (!this.index.lookup(marker.event_id)) {
      return { status: 'rejected', reason: `marker refers to event ${marker.event_id}, which is not in this store` };
    }
    if (this.index.hasMarker(marker.marker_id)) return { status: 'duplicate' };
    const text = encodeMarker(marker);
    const seg = this.segmentFor(marker.marked_at.slice(0, 10));
    try {
      const { offsets, progress } = await this.writeLines(seg, [Buffer.from(text)]);
      this.index.commit([], [{ markerId: marker.marker_id, eventId: marker.event_id, markedAt: marker.marked_at,
        reason: marker.reason, segmentId: seg.id, offset: offsets[0]!, length: Buffer.byteLength(text) }], [progress]);
      return { status: 'stored' };
    } catch (err) {
      return { status: 'error', reason: `storage failure: ${(err as Error).message}` };
    }
  }

  // ---- rotation ----

  /** Compresses every plain day file older than today (background work, one at a time). */
  rotateFinishedDays(): Promise<void> {
    if (this.rotating) return this.rotating;
    const run = this.compressFinishedDays().finally(() => {
      if (this.rotating === run) this.rotating = undefined;
    });
    this.rotating = run;
    return run;
  }

  private async compressFinishedDays(): Promise<void> {
    const today = this.today();
    for (const s of this.index.segments()) {
      if (s.compressed === 0 && s.day < today) await this.compressDay(s.day);
    }
  }

  /**
   * Turns `<day>.jsonl` into `<day>.jsonl.gz` without blocking appends: the bulk
   * is compressed into a temp file while writes go on; the rest and the swap
   * happen in a write turn of their own. Temp file fsynced, renamed, directory
   * fsynced, index updated, plain file removed: a crash at any point leaves
   * either the plain file or a complete gz (recover() finishes the job).
   */
  private async compressDay(day: string): Promise<void> {
    const seg = this.segmentFor(day);
    if (seg.compressed) return;
    const tmpPath = join(this.dir.processingDir, `${day}.jsonl.gz.tmp`);
    const tmp = openSync(tmpPath, 'w');
    let swapped = false;
    try {
      let rawDone = 0;
      let fileDone = 0;
      const blocks: BlockRow[] = [];
      const pump = async (upTo: number) => {
        const src = openSync(seg.path, 'r');
        try {
          while (rawDone < upTo) {
            const len = Math.min(8 * 1024 * 1024, upTo - rawDone);
            const buf = Buffer.allocUnsafe(len);
            const n = readSync(src, buf, 0, len, rawDone);
            let chunk = buf.subarray(0, n);
            if (rawDone + n < upTo) {
              const nl = chunk.lastIndexOf(0x0a);
              if (nl === -1) throw new Error(`${seg.path}: a line longer than 8 MB at byte ${rawDone}`);
              chunk = chunk.subarray(0, nl + 1);
            }
            const members = await compressLines(chunk);
            for (const b of describeMembers(members, fileDone, rawDone)) blocks.push(toBlockRow(b));
            const out = Buffer.concat(members);
            writeSync(tmp, out);
            fileDone += out.length;
            rawDone += chunk.length;
          }
        } finally {
          closeSync(src);
        }
      };
      await pump(seg.rawSize);
      // The swap takes a write turn of its own, so it never falls between an
      // append's write and the index commit that records it.
      const writesBefore = seg.queue;
      const job = this.inTurn(async () => {
        await writesBefore;
        await pump(seg.rawSize); // lines appended meanwhile
        fsyncSync(tmp);
        renameSync(tmpPath, this.dir.gzDayPath(day));
        fsyncDir(this.dir.eventsDir);
        swapped = true;
        this.index.replaceBlocks(seg.id, blocks, rawDone, fileDone, true);
        closeSync(seg.fd);
        unlinkSync(seg.path);
        fsyncDir(this.dir.eventsDir);
        seg.compressed = true;
        seg.path = this.dir.gzDayPath(day);
        seg.fd = openSync(seg.path, 'a');
        seg.fileSize = fileDone;
        this.reader.files.invalidate();
        this.log(`compressed ${day}: ${rawDone} → ${fileDone} bytes`);
      });
      seg.queue = job.catch(() => {});
      await job;
    } finally {
      closeSync(tmp);
      if (!swapped && existsSync(tmpPath)) unlinkSync(tmpPath);
    }
  }

  // ---- close ----

  /** Finishes writes, compresses finished days, releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.rotationTimer) clearInterval(this.rotationTimer);
    await Promise.all([...this.open.values()].map((s) => s.queue));
    if (this.rotating) await this.rotating;
    await this.rotateFinishedDays();
    this.closed = true;
    for (const s of this.open.values()) closeSync(s.fd);
    this.open.clear();
    this.reader.files.close();
    this.index.close();
    this.station.close();
    this.lock.release();
  }
}

export class UnknownEventError extends Error {
  override name = 'UnknownEventError';
  constructor(readonly eventId: string) {
    super(`no event ${eventId} in this store`);
  }
}

function conflict(): AppendOutcome {
  return { status: 'rejected', reason: 'event_id already stored with different content' };
}

/**
 * "Same event twice" (PRODUCT §3): equal payload, user metadata and client
 * time — the time only when both carry one the client gave.
 */
function sameContent(a: EncodedEvent, b: EncodedEvent): boolean {
  const fromReceipt = a.clientTsFromReceipt || b.clientTsFromReceipt;
  return Buffer.from(a.payloadSha256).equals(b.payloadSha256) && (fromReceipt || a.clientTs === b.clientTs) &&
    a.userMetadataKey === b.userMetadataKey;
}

function toIndexed(p: Placed, origin: string | null): IndexedEvent {
  const e = p.event;
  return {
    eventId: e.eventId,
    sensorId: e.sensorId,
    clientTs: e.clientTs,
    receivedTs: e.receivedTs,
    segmentId: p.seg.id,
    offset: p.offset,
    length: p.length,
    payloadSha256: e.payloadSha256,
    ruleIds: e.ruleIds,
    metadataKey: e.metadataKey,
    stripped: e.stripped,
    verification: e.verification,
    origin,
  };
}

function toBlockRow(b: GzBlock): BlockRow {
  return { raw_offset: b.rawOffset, raw_length: b.rawLength, file_offset: b.fileOffset, file_length: b.fileLength };
}

function fsyncDir(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// ---- recovery ----

/**
 * Brings files and index into agreement on open (PRODUCT §5): finishes an
 * interrupted rotation, moves torn tails to quarantine, drops index rows that
 * point past the end of a file, indexes lines the index lacks.
 */
async function recover(
  dir: DataDir,
  index: EventIndex,
  log: (m: string) => void,
  onCatchUp?: (day: string, lines: number) => void,
): Promise<RecoveryReport> {
  let pool: LinePool | undefined; // made only when there is something to catch up
  try {
    // Filling an empty index from many lines (a reindex) goes faster with the
    // secondary indexes built once at the end instead of row by row.
    const bulk = index.isEmpty() && dayFilesBytes(dir) > BULK_LOAD_BYTES;
    if (bulk) index.deferIndexes();
    const report = await recoverWith(dir, index, log, () => (pool ??= LinePool.create()), onCatchUp);
    if (bulk) index.restoreIndexes();
    return report;
  } finally {
    await pool?.close();
  }
}

function dayFilesBytes(dir: DataDir): number {
  let total = 0;
  for (const f of readdirSync(dir.eventsDir)) if (DAY_PATTERN.test(f)) total += statSync(join(dir.eventsDir, f)).size;
  return total;
}

async function recoverWith(
  dir: DataDir,
  index: EventIndex,
  log: (m: string) => void,
  pool: () => LinePool,
  onCatchUp?: (day: string, lines: number) => void,
): Promise<RecoveryReport> {
  const report: RecoveryReport = { tornTails: [], caughtUp: 0, dropped: 0, unreadable: [] };
  for (const f of readdirSync(dir.processingDir)) unlinkSync(join(dir.processingDir, f));

  const files = new Map<string, { plain: boolean; gz: boolean }>();
  for (const f of readdirSync(dir.eventsDir)) {
    const m = DAY_PATTERN.exec(f);
    if (!m) continue;
    const day = m[1]!;
    const entry = files.get(day) ?? { plain: false, gz: false };
    if (m[2]) entry.gz = true;
    else entry.plain = true;
    files.set(day, entry);
  }

  const segments = new Map(index.segments().map((s) => [s.day, s]));
  for (const [day, seg] of segments) {
    if (!files.has(day)) {
      report.dropped += index.dropSegment(seg.id);
      log(`events/${day}: file is gone; dropped its index rows`);
    }
  }

  for (const [day, present] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (present.plain && present.gz) {
      // A rotation was cut short after its rename: the gz holds the whole day.
      const plainSize = statSync(dir.plainDayPath(day)).size;
      const walk = walkMembers(dir.gzDayPath(day));
      if (walk.endRawOffset >= plainSize) {
        unlinkSync(dir.plainDayPath(day));
        present.plain = false;
      } else {
        log(`events/${day}: both ${day}.jsonl and ${day}.jsonl.gz exist and differ; using the .gz, .jsonl left as it is`);
      }
    }
    const compressed = present.gz;
    const path = dir.dayPath(day, compressed);
    let seg = segments.get(day) ?? index.ensureSegment(day, compressed);
    if ((seg.compressed === 1) !== compressed) {
      // The file changed form (a rotation finished after the index last saw it).
      // Uncompressed positions are the same in both forms; only blocks change.
      if (compressed) {
        const walk = walkMembers(path);
        const covered = walk.blocks.filter((b) => b.rawOffset + b.rawLength <= seg.raw_size);
        const last = covered.at(-1);
        index.replaceBlocks(seg.id, covered.map(toBlockRow), last ? last.rawOffset + last.rawLength : 0,
          last ? last.fileOffset + last.fileLength : 0, true);
      } else {
        index.replaceBlocks(seg.id, [], seg.raw_size, seg.raw_size, false);
      }
      seg = index.segmentById(seg.id)!;
    }

    // Cut a torn tail: everything after the last complete line (plain) or member (gz).
    const size = statSync(path).size;
    let rawEnd: number;
    let fileEnd: number;
    if (compressed) {
      // Members up to what the index has read are known whole; walk only past them.
      const known = size >= seg.file_size ? { file: seg.file_size, raw: seg.raw_size } : { file: 0, raw: 0 };
      const walk = size === known.file ? { endRawOffset: known.raw, endFileOffset: known.file } : walkMembers(path, known.file, known.raw);
      rawEnd = walk.endRawOffset;
      fileEnd = walk.endFileOffset;
    } else if (size === seg.raw_size) {
      fileEnd = rawEnd = size; // ends where the index's last line ended
    } else {
      fileEnd = rawEnd = lastLineEnd(path, size);
    }
    if (fileEnd < size) {
      const q = quarantine(dir, path, day, fileEnd, size);
      report.tornTails.push({ file: path, bytes: size - fileEnd, quarantinedTo: q });
      log(`events/${day}: torn last line (${size - fileEnd} bytes) moved to ${q}`);
    }

    if (seg.raw_size > rawEnd) {
      report.dropped += index.trimSegment(seg.id, rawEnd, fileEnd);
      seg = index.segmentById(seg.id)!;
    }
    if (seg.raw_size < rawEnd) {
      const from = { raw: seg.raw_size, file: compressed ? seg.file_size : seg.raw_size };
      const n = await catchUp(dir, index, pool(), seg.id, day, compressed, from, report, (lines) => onCatchUp?.(day, lines));
      report.caughtUp += n;
      if (n > 0) log(`events/${day}: indexed ${n} lines the index lacked`);
    }
  }
  return report;
}

function lastLineEnd(path: string, size: number): number {
  if (size === 0) return 0;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - buf.length);
      const n = readSync(fd, buf, 0, end - start, start);
      const nl = buf.subarray(0, n).lastIndexOf(0x0a);
      if (nl !== -1) return start + nl + 1;
      end = start;
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

function quarantine(dir: DataDir, path: string, day: string, from: number, size: number): string {
  mkdirSync(dir.quarantineDir, { recursive: true });
  const target = join(dir.quarantineDir, `${day}.torn-${newUuid7()}.bin`);
  const fd = openSync(path, 'r+');
  try {
    const tail = Buffer.allocUnsafe(size - from);
    readSync(fd, tail, 0, tail.length, from);
    const out = openSync(target, 'w');
    writeSync(out, tail);
    fsyncSync(out);
    closeSync(out);
    fsyncDir(dir.quarantineDir);
    ftruncateSync(fd, from);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return target;
}

/**
 * Indexes the lines of a day file from a known boundary (also the whole of
 * `tk reindex`). Worker threads read the lines' facts; this thread commits
 * them in file order, a few batches behind.
 */
async function catchUp(
  dir: DataDir,
  index: EventIndex,
  pool: LinePool,
  segmentId: number,
  day: string,
  compressed: boolean,
  from: { raw: number; file: number },
  report: RecoveryReport,
  onProgress?: (lines: number) => void,
): Promise<number> {
  const path = dir.dayPath(day, compressed);
  const inflight: Array<Promise<BlockFacts>> = [];
  const maxInflight = Math.max(2, pool.threads * 8);
  let added = 0;
  let lineNo = 0;
  const pendingEvents: IndexedEvent[] = [];
  const pendingMarkers: IndexedMarker[] = [];
  const flush = () => {
    added += index.commit(pendingEvents, pendingMarkers, []);
    pendingEvents.length = 0;
    pendingMarkers.length = 0;
  };
  const applyOldest = async () => {
    const { facts, offsets, lengths } = await inflight.shift()!;
    for (let k = 0; k < facts.length; k++) {
      const f = facts[k]!;
      const offset = offsets[k]!;
      const length = lengths[k]!;
      lineNo++;
      if (f.kind === 'event') {
        pendingEvents.push({
          eventId: f.eventId,
          sensorId: f.sensorId,
          clientTs: f.clientTs,
          receivedTs: f.receivedTs,
          segmentId,
          offset,
          length,
          payloadSha256: f.payloadSha256,
          ruleIds: f.ruleIds,
          metadataKey: f.metadataKey,
          stripped: f.stripped,
          verification: f.verification,
          origin: null,
        });
      } else if (f.kind === 'marker') {
        const m = f.marker;
        pendingMarkers.push({ markerId: m.marker_id, eventId: m.event_id, markedAt: m.marked_at, reason: m.reason, segmentId, offset, length });
      } else {
        report.unreadable.push({ file: path, line: lineNo, problem: f.problem });
      }
    }
    if (pendingEvents.length + pendingMarkers.length >= COMMIT_EVERY) flush();
    onProgress?.(lineNo);
  };
  const submit = async (work: Promise<BlockFacts>) => {
    inflight.push(work);
    while (inflight.length >= maxInflight) await applyOldest();
  };

  let end: { rawEnd: number; fileEnd: number; blocks: GzBlock[] };
  if (compressed) {
    // Workers read, inflate and parse whole members straight from the file.
    const walk = walkMembers(path, from.file, from.raw);
    for (let i = 0; i < walk.blocks.length; i += CATCH_UP_MEMBERS) {
      await submit(pool.blockFacts(path, walk.blocks.slice(i, i + CATCH_UP_MEMBERS)));
    }
    end = { rawEnd: walk.endRawOffset, fileEnd: walk.endFileOffset, blocks: walk.blocks };
  } else {
    // A plain day (today's) is read here and its lines handed over in batches.
    const blocks = dayFileBlocks(path, false, from);
    let r = blocks.next();
    while (!r.done) {
      const { buf, base } = r.value;
      let start = 0;
      while (start < buf.length) {
        const offsets: number[] = [];
        const lengths: number[] = [];
        const ends: number[] = [];
        const batchStart = start;
        while (start < buf.length && offsets.length < CATCH_UP_BATCH) {
          const nl = buf.indexOf(0x0a, start);
          offsets.push(base + start);
          lengths.push(nl - start);
          ends.push(nl + 1 - batchStart);
          start = nl + 1;
        }
        const piece = Buffer.from(buf.subarray(batchStart, start));
        await submit(pool.facts(piece, Uint32Array.from(ends)).then((facts) => ({ facts, offsets, lengths })));
      }
      r = blocks.next();
    }
    end = r.value;
  }
  while (inflight.length > 0) await applyOldest();
  flush();
  index.commit([], [], [{ segmentId, rawSize: end.rawEnd, fileSize: end.fileEnd, ...(compressed ? { blocks: end.blocks.map(toBlockRow) } : {}) }]);
  return added;
}

export { StationRunningError, currentOwner };
