// Shapes of what the station reports about its trail — audit figures,
// listener rejections, rule evaluation traces, verification verdicts, rule
// versions — as types only (no code, no Node). The modules that compute them
// and the app API contract (which the renderer compiles against) share them.
import type { JsonValue } from './json.js';

export interface CountedValue {
  value: string;
  events: number;
}

export interface SensorAudit {
  /** null: events without a sensor_id. */
  sensor: string | null;
  events: number;
  spoofed: number;
  minSkewMs: number;
  maxSkewMs: number;
  meanSkewMs: number;
  /** Events received more than the flag threshold (SKEW_FLAG_MS) after their client time. */
  late: number;
  /** Events whose client time is after their receipt (the sensor's clock runs ahead). */
  ahead: number;
  lastSeen: string;
  clientIps: CountedValue[];
}

/** Events by how their recorded rule match re-verified; `unchecked`: indexed before verification existed. */
export interface VerificationCounts {
  agrees: number;
  disagrees: number;
  not_verifiable: number;
  none: number;
  unchecked: number;
}

export interface IndexAudit {
  events: number;
  /** Events on which a client tried to write `$` keys (stripped, kept in audit.stripped_metadata). */
  spoofed: number;
  /** Events indexed before spoof attempts were counted (tk reindex fills them in). */
  spoofUnknown: number;
  /** `$tk.api_type`, `$tk.api_version`, `$tk.server_version`: value → events ('' = key absent). */
  system: Record<string, CountedValue[]>;
  sensors: SensorAudit[];
  verification: VerificationCounts;
}

export interface Rejection {
  at: string;
  /** The event's id as the client sent it ('' when it had none), or '' for a refused call. */
  eventId: string;
  sensorId: string | null;
  clientIp: string | null;
  /** EVENT_STATUS_REJECTED / _ERROR for an event; CALL_REFUSED for a whole call (auth, malformed, too large). */
  status: 'EVENT_STATUS_REJECTED' | 'EVENT_STATUS_ERROR' | 'CALL_REFUSED';
  reason: string;
}

export interface SensorActivity {
  sensorId: string;
  lastSeen: string;
  clientIp: string | null;
  /** Events accepted from it since the station started. */
  accepted: number;
}

export type Policy = 'skip' | 'match' | 'fail';

/** Why a condition came out as it did. */
export type ConditionWhy =
  | 'compared' // the operator decided
  | 'missing' // no value (absent, null, empty wildcard): the missing-field policy decided
  | 'coercion_failed' // a value that the field type cannot take: the coercion policy decided
  | 'ref_missing'; // the field_ref's value is absent or null

export interface ConditionResult {
  index: number;
  holds: boolean;
  why: ConditionWhy;
  policy?: Policy;
  /** Where it held (or, when it did not, the last place looked at), with concrete indexes. */
  at?: string;
  value?: JsonValue;
}

export interface GroupResult {
  index: number;
  holds: boolean;
  conditions: ConditionResult[];
}

export interface Evaluation {
  matched: boolean;
  /** The first group that holds, by position. */
  group: number | null;
  groups: GroupResult[];
  /** The first condition of that group that held by comparison: where, and the payload's value there. */
  matchedField?: string;
  matchedValue?: JsonValue;
}

export type Verdict = 'agrees' | 'disagrees' | 'not_verifiable';

export interface RuleCheck {
  ruleId: string;
  name: string;
  sampleRate: number;
  /** Absent when the snapshot could not be read (see `problem`). */
  evaluation?: Evaluation;
  problem?: string;
}

export interface Verification {
  verdict: Verdict;
  /** Why, in words: empty when it agrees. */
  reasons: string[];
  /** A snapshot samples (sample_rate < 1): the sensor evaluated only some records. */
  sampled: boolean;
  rules: RuleCheck[];
  /** Whether the record snapshot holds only the payload's own values (null: none stored). */
  recordSnapshotConsistent: boolean | null;
}

export interface RuleVersion {
  ruleId: string;
  name: string;
  action: string;
  sampleRate: number;
  createdAt: string | null;
  /** Events that matched this version. */
  events: number;
  /** station: in this station's rule store; snapshot: known from the snapshots events carry. */
  source: 'station' | 'snapshot';
}

export interface RuleChange {
  kind: 'added' | 'removed' | 'changed';
  what: string;
  from?: string;
  to?: string;
}
