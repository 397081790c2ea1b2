// `tk verify`: reads every line of every day file and checks it against the
// index, without repairing anything. Every finding names file, line and problem.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataDir, DAY_PATTERN } from './data-dir.js';
import { scanDayFile } from './segment-files.js';
import { EventIndex } from '../db/event-index.js';
import { sha256 } from '../domain/event-line.js';
import { verifyEvent } from '../rules/verify-event.js';
import type { EventLine } from '../domain/event-shape.js';
import { isJsonObject } from '../domain/json.js';

export interface VerifyFinding {
  file: string;
  line?: number;
  problem: string;
}

export interface VerifyReport {
  ok: boolean;
  files: number;
  lines: number;
  events: number;
  markers: number;
  findings: VerifyFinding[];
  /** Events whose recorded rule match does not hold against their own payload (core/rules/verify-event.ts); the first MAX_LISTED. */
  suspicious: Array<{ file: string; line: number; event_id: string; reasons: string[] }>;
  /** How many there are in all. */
  suspiciousCount: number;
  /** Events whose rule snapshot could not be evaluated. */
  notVerifiable: number;
}

/** Suspicious events listed in a report; all are counted (tk query --verification disagrees lists them all). */
export const MAX_LISTED = 1000;

export function verifyStore(root: string, onProgress?: (file: string) => void): VerifyReport {
  const dir = new DataDir(root);
  const report: VerifyReport = { ok: true, files: 0, lines: 0, events: 0, markers: 0, findings: [], suspicious: [], suspiciousCount: 0, notVerifiable: 0 };
  const find = (f: VerifyFinding) => report.findings.push(f);
  const index = existsSync(dir.indexPath) ? EventIndex.open(dir.indexPath, { readonly: true }) : undefined;
  if (!index) find({ file: 'trapperkeeper.db', problem: 'the index is missing (tk reindex rebuilds it from the files)' });
  try {
    const segments = new Map((index?.segments() ?? []).map((s) => [s.day, s]));
    const days = existsSync(dir.eventsDir)
      ? readdirSync(dir.eventsDir).filter((f) => DAY_PATTERN.test(f)).sort()
      : [];
    const seenIds = new Map<string, string>();
    for (const name of days) {
      const m = DAY_PATTERN.exec(name)!;
      const day = m[1]!;
      const compressed = m[2] !== undefined;
      const file = join('events', name);
      onProgress?.(file);
      report.files++;
      const seg = segments.get(day);
      segments.delete(day);
      if (index && !seg) find({ file, problem: 'the index has no record of this file' });
      if (seg && (seg.compressed === 1) !== compressed) {
        find({ file, problem: `the index describes this day as ${seg.compressed ? 'compressed' : 'plain'}` });
      }
      const rows = new Map((seg && index ? index.rowsOfSegment(seg.id) : []).map((r) => [r.line_offset, r]));
      const markerRows = new Set((seg && index ? index.markersOfSegment(seg.id) : []).map((r) => r.line_offset));
      let end;
      try {
        end = scanDayFile(join(dir.eventsDir, name), compressed, { raw: 0, file: 0 }, ({ bytes, offset, lineNo }) => {
          report.lines++;
          let v: unknown;
          try {
            v = JSON.parse(bytes.toString('utf8'));
          } catch (e) {
            find({ file, line: lineNo, problem: `not valid JSON (${(e as Error).message})` });
            rows.delete(offset);
            return;
          }
          if (!isJsonObject(v)) return find({ file, line: lineNo, problem: 'not a JSON object' });
          if (v.marker !== undefined) {
            report.markers++;
            if (index && !markerRows.delete(offset)) find({ file, line: lineNo, problem: `marker ${String(v.marker_id)} is not in the index` });
            return;
          }
          report.events++;
          const id = v.event_id;
          if (typeof id !== 'string' || !isJsonObject(v.payload)) {
            rows.delete(offset);
            return find({ file, line: lineNo, problem: 'neither an event (event_id, payload) nor a marker line' });
          }
          if (v.rule_snapshot !== undefined || v.rule_snapshots !== undefined) {
            const checked = verifyEvent(v as unknown as EventLine);
            if (checked?.verdict === 'disagrees') {
              // Listed up to a limit (as import lists rejections), counted in full.
              if (report.suspiciousCount++ < MAX_LISTED) report.suspicious.push({ file, line: lineNo, event_id: id, reasons: checked.reasons });
            }
            else if (checked?.verdict === 'not_verifiable') report.notVerifiable++;
          }
          const where = `${file}:${lineNo}`;
          const earlier = seenIds.get(id);
          if (earlier) find({ file, line: lineNo, problem: `event ${id} is also stored at ${earlier}` });
          else seenIds.set(id, where);
          if (!index) return;
          const row = rows.get(offset);
          rows.delete(offset);
          if (!row || row.event_id !== id) return find({ file, line: lineNo, problem: `event ${id} is not in the index at this position` });
          if (row.line_length !== bytes.length) find({ file, line: lineNo, problem: `event ${id}: the index records a different line length` });
          if (!row.payload_sha256.equals(sha256(JSON.stringify(v.payload)))) {
            find({ file, line: lineNo, problem: `event ${id}: payload SHA-256 differs from the index (the line was changed)` });
          }
        });
      } catch (e) {
        find({ file, problem: `cannot be read to the end: ${(e as Error).message}` });
        continue;
      }
      if (end.tail > 0) find({ file, problem: `${end.tail} bytes after the last complete line (a torn write)` });
      for (const r of rows.values()) {
        find({ file, problem: `the index points event ${r.event_id} at byte ${r.line_offset}, where no such line is` });
      }
      if (seg && seg.raw_size !== end.rawEnd) {
        find({ file, problem: `the index has read ${seg.raw_size} bytes of this day, the file holds ${end.rawEnd}` });
      }
    }
    for (const seg of segments.values()) {
      find({ file: join('events', `${seg.day}.jsonl${seg.compressed ? '.gz' : ''}`), problem: 'in the index, but the file is missing' });
    }
  } finally {
    index?.close();
  }
  report.ok = report.findings.length === 0 && report.suspiciousCount === 0;
  return report;
}
