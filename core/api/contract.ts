// The app API contract (PRODUCT §4 "App API contract", STYLE.md "One contract,
// many transports"): every operation the UI uses, its input schema (checked
// at run time at the boundary) and its result type. Electron IPC and the HTTP
// bridge are thin transports over one dispatcher of these operations.
import { z } from 'zod';
import { Instant } from '../domain/instant.js';
import type { EventLine } from '../domain/event-line.js';

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
    includeDeleted: z.boolean().default(false),
  })
  .strict();

export const contract = {
  listEvents: {
    input: eventFilter.extend({
      order: z.enum(['asc', 'desc']).default('desc'),
      limit: z.number().int().min(1).max(1000).default(100),
      cursor: z.string().max(500).optional(),
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
} as const;

export type OpName = keyof typeof contract;
export type Input<K extends OpName> = z.infer<(typeof contract)[K]['input']>;

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
}

/**
 * Result shapes are spelled out here, not imported from core/db or core/store:
 * the renderer compiles against this file alone (DOM types, no Node). The
 * handlers are type-checked against them, so a drift fails to compile.
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
    sensors: Array<{ value: string; events: number }>;
    rules: Array<{ value: string; events: number }>;
    metadata: Record<string, Array<{ value: string; events: number }>>;
  };
  diskFacts: { dataDir: string; eventFileBytes: number; indexBytes: number; freeBytes: number };
  /** The delete marker now stored (the event stays in its file, hidden). */
  deleteEvent: { marker_id: string; event_id: string; marked_at: string; reason: string };
}

/** Every operation, typed against the contract: a missing or mistyped one fails to compile. */
export type Handlers = { [K in OpName]: (input: Input<K>) => Results[K] | Promise<Results[K]> };

/** Errors cross every transport as data (Electron drops custom error fields). */
export interface ApiError {
  code: 'unknown_operation' | 'invalid_input' | 'not_found' | 'internal';
  message: string;
}

export type Reply<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiError };

export function isOpName(name: string): name is OpName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}
