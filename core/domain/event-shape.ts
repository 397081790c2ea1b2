// The shape of stored lines as types only (PRODUCT §3 "Event line", "Marker
// line"): no code and no Node, so the renderer can compile against the app API
// contract, which hands these to it.
import type { JsonObject, JsonValue } from './json.js';

/** Metadata: string keys to string values (PRODUCT §3 "`$tk.*` metadata"). */
export type Metadata = Record<string, string>;

export interface MatchedRule {
  rule_id: string;
  action?: string;
  [extra: string]: JsonValue | undefined;
}

export interface EventAudit {
  stripped_metadata?: Metadata;
  claimed_sensor_id?: string;
  client_timestamp_source?: 'event' | 'request' | 'receipt';
}

export interface EventLine {
  event_id: string;
  client_timestamp: string;
  server_received_at: string;
  payload: JsonObject;
  metadata: Metadata;
  matched_rules?: MatchedRule[];
  rule_snapshot?: JsonObject;
  rule_snapshots?: JsonObject[];
  record_snapshot?: JsonValue;
  matched_field?: string;
  matched_value?: JsonValue;
  matched_condition?: JsonValue;
  audit?: EventAudit;
}

export interface MarkerLine {
  marker: 'delete';
  marker_id: string;
  event_id: string;
  marked_at: string;
  reason: string;
}

