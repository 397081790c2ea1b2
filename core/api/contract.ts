// The app API contract (PRODUCT §4 "App API contract", STYLE.md "One contract,
// many transports"): every operation the UI uses, its input schema (checked
// at run time at the boundary) and its result type. Electron IPC and the HTTP
// bridge are thin transports over one dispatcher of these operations.
import { z } from 'zod';
import { Instant } from '../domain/instant.js';
import type { EventLine } from '../domain/event-shape.js';
import type { CountedValue, IndexAudit, Rejection, RuleChange, RuleVersion, SensorActivity, Verification } from '../domain/report-shapes.js';

export type {
  ConditionResult,
  CountedValue,
  Rejection,
  RuleChange,
  RuleVersion,
  SensorActivity,
  SensorAudit,
  Verification,
} from '../domain/report-shapes.js';

/** The audit view's figures over a filter; skew beyond `skewFlagMs` is flagged. */
export interface AuditSummary extends IndexAudit {
  skewFlagMs: number;
}

import type { DownloadName, OpName, Topic } from './operations.js';

export type { DownloadName, OpName, Topic } from './operations.js';

const instantText = z.string().transform((text, ctx) => {
  try {
    return Instant.normalize(text);
  } catch (e) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (e as Error).message });
    return z.NEVER;
  }
});

export const eventFilter = z
  .object({
    since: instantText.optional(),
    until: instantText.optional(),
    by: z.enum(['received', 'client']).default('received'),
    sensor: z.string().min(1).optional(),
    rule: z.string().min(1).optional(),
    meta: z.array(z.tuple([z.string().min(1), z.string()])).max(16).default([]),
    text: z.string().max(1000).optional(),
    spoofed: z.boolean().optional(),
    /** A payload condition in the rule language, e.g. `$.devices[*].temperature > 90`. */
    where: z.string().max(1000).optional(),
    /** Only events whose recorded rule match re-verified so. */
    verification: z.enum(['agrees', 'disagrees', 'not_verifiable']).optional(),
    includeDeleted: z.boolean().default(false),
  })
  .strict();

export const contract = {
  listEvents: {
    input: eventFilter.extend({
      order: z.enum(['asc', 'desc']).default('desc'),
      limit: z.number().int().min(1).max(1000).default(100),
      cursor: z.string().max(500).optional(),
      /** Events to skip first: with a time bound taken from the timeline, a jump to any position. */
      offset: z.number().int().min(0).max(100_000_000).optional(),
    }),
  },
  getEvent: { input: z.object({ eventId: z.string().min(1).max(64) }).strict() },
  countEvents: { input: eventFilter },
  histogram: {
    input: eventFilter.extend({
      intervalSeconds: z.number().int().min(1).max(366 * 86400),
      originSeconds: z.number().int().default(0),
    }),
  },
  stats: { input: z.object({}).strict() },
  facets: { input: z.object({ limit: z.number().int().min(1).max(200).default(20) }).strict() },
  diskFacts: { input: z.object({}).strict() },
  deleteEvent: { input: z.object({ eventId: z.string().min(1).max(64), reason: z.string().trim().min(1).max(1000) }).strict() },
  auditSummary: { input: eventFilter },
  timeline: { input: eventFilter.extend({ buckets: z.number().int().min(10).max(2000).default(200) }) },
  ruleVersions: { input: z.object({}).strict() },
  ruleDiff: { input: z.object({ from: z.string().min(1).max(64), to: z.string().min(1).max(64) }).strict() },
  listenerStatus: { input: z.object({}).strict() },
} as const satisfies Record<OpName, unknown>;

/**
 * Operations whose result is a file, not JSON: the HTTP bridge sends it as a
 * download, Electron's main process saves it where the user chooses.
 */
export const downloads = {
  exportEvents: {
    input: eventFilter.extend({
      order: z.enum(['asc', 'desc']).default('asc'),
      format: z.enum(['jsonl', 'jsonl.gz', 'csv']).default('jsonl'),
    }),
  },
} as const satisfies Record<DownloadName, unknown>;

/** An operation's input after validation (defaults filled in): what handlers get. */
export type Input<K extends OpName> = z.infer<(typeof contract)[K]['input']>;
/** An operation's arguments as a caller writes them (defaults may be left out). */
export type Args<K extends OpName> = z.input<(typeof contract)[K]['input']>;
export type DownloadArgs<K extends DownloadName> = z.input<(typeof downloads)[K]['input']>;
export type DownloadInput<K extends DownloadName> = z.infer<(typeof downloads)[K]['input']>;

export interface EventSummary {
  eventId: string;
  receivedAt: string;
  clientTimestamp: string;
  sensorId: string | null;
  ruleCount: number;
  deleted: boolean;
  event: EventLine;
}

export interface EventDetail extends EventSummary {
  /** The stored line, as in the file. */
  line: string;
  origin: string | null;
  markers: Array<{ marker_id: string; marked_at: string; reason: string }>;
  /** The recorded match re-verified against the payload; null when the event carries no rule snapshot. */
  verification: Verification | null;
}



/**
 * Result shapes are spelled out here or in Node-free shape modules, never
 * imported from core/db or core/store: the renderer compiles against this file
 * without Node types. The handlers are type-checked against them, so a drift
 * fails to compile.
 */
export interface Results {
  listEvents: { events: EventSummary[]; nextCursor: string | null };
  getEvent: EventDetail | null;
  countEvents: { count: number };
  histogram: { buckets: Array<{ start: number; count: number }> };
  stats: {
    events: number;
    deleted: number;
    markers: number;
    firstReceivedAt: string | null;
    lastReceivedAt: string | null;
    sensors: Array<{ sensor: string; events: number; last_seen: string }>;
    days: Array<{ day: string; compressed: boolean; raw_size: number; file_size: number; events: number }>;
  };
  facets: {
    sensors: CountedValue[];
    /** Matched rules by id, with the rule's name where the station's rule store or a snapshot tells it. */
    rules: Array<CountedValue & { name?: string }>;
    metadata: Record<string, CountedValue[]>;
  };
  diskFacts: { dataDir: string; eventFileBytes: number; indexBytes: number; freeBytes: number };
  /** The delete marker now stored (the event stays in its file, hidden). */
  deleteEvent: { marker_id: string; event_id: string; marked_at: string; reason: string };
  auditSummary: AuditSummary;
  listenerStatus: ListenerStatus;
  /**
   * The filter's events over its whole range: `buckets` start at multiples of
   * `intervalSeconds` since the epoch (UTC-aligned), oldest first, empty ones left out.
   */
  /** Rules by name (an edit is a new rule id), each name's versions oldest first. */
  ruleVersions: { rules: Array<{ name: string; versions: RuleVersion[] }> };
  ruleDiff: { from: RuleVersion; to: RuleVersion; changes: RuleChange[] };
  timeline: {
    total: number;
    first: string | null;
    last: string | null;
    intervalSeconds: number;
    buckets: Array<{ start: number; count: number }>;
  };
}





/** The gRPC listener's live picture; `running: false` when the station runs without one. */
export type ListenerStatus =
  | { running: false }
  | {
      running: true;
      address: string;
      authMode: 'api_key' | 'open';
      startedAt: string;
      accepted: number;
      rejected: number;
      refusedCalls: number;
      eventsPerSecond: number;
      sensors: SensorActivity[];
      recentRejections: Rejection[];
    };

/** Live updates, by topic. */
export interface Updates {
  /** Events were stored or deleted (coalesced: several commits may arrive as one). */
  events: { stored: number; deleted: number; lastReceivedAt: string | null };
  /** The listener's status, about once a second. */
  listener: ListenerStatus;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time check: the topics listed in operations.ts are exactly the keys of Updates. */
export const TOPICS_MATCH_UPDATES: Same<keyof Updates, Topic> = true;

export type Update = { [T in keyof Updates]: { topic: T; data: Updates[T] } }[keyof Updates];

/** Every operation, typed against the contract: a missing or mistyped one fails to compile. */
export type Handlers = { [K in OpName]: (input: Input<K>) => Results[K] | Promise<Results[K]> };

/** A download as the core makes it: a suggested file name, its type and its bytes (a Node stream, transports only). */
export interface Download<Body = unknown> {
  fileName: string;
  contentType: string;
  body: Body;
}

export type DownloadHandlers<Body = unknown> = { [K in DownloadName]: (input: DownloadInput<K>) => Download<Body> };

/** Errors cross every transport as data (Electron drops custom error fields). */
export interface ApiError {
  code: 'unknown_operation' | 'invalid_input' | 'not_found' | 'internal';
  message: string;
}

export type Reply<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiError };

/**
 * What Electron's preload hands the page as `tk` (and all it hands over). The
 * renderer's HTTP transport offers the same three things over the bridge.
 */
export interface DesktopBridge {
  invoke(op: OpName, args: unknown): Promise<Reply>;
  /** Saves a download where the user chooses; resolves to where, or null when they cancelled. */
  download(name: DownloadName, args: unknown): Promise<Reply<{ path: string } | null>>;
  /** Live updates until the returned function is called. */
  subscribe(fn: (u: Update) => void): () => void;
}

export function isOpName(name: string): name is OpName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

export function isDownloadName(name: string): name is DownloadName {
  return Object.prototype.hasOwnProperty.call(downloads, name);
}
