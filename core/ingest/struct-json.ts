// google.protobuf.Struct / Value / ListValue, as @grpc/proto-loader hands them
// over (oneofs: true, so each Value names its `kind`), to plain JSON.
import type { JsonObject, JsonValue } from '../domain/json.js';

export interface ProtoValue {
  kind?: string;
  nullValue?: unknown;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: ProtoStruct;
  listValue?: { values?: ProtoValue[] };
}

export interface ProtoStruct {
  fields?: Record<string, ProtoValue>;
}

export class StructError extends Error {
  override name = 'StructError';
}

/**
 * A Struct is a map, and map entries have no order on the wire (clients
 * serialise them in any order): keys are sorted, so the same record always
 * has the same JSON text and payload hash — which "same event twice" relies on.
 */
export function structToJson(s: ProtoStruct | null | undefined): JsonObject {
  const out: JsonObject = {};
  const fields = s?.fields ?? {};
  for (const key of Object.keys(fields).sort()) out[key] = valueToJson(fields[key]!);
  return out;
}

export function valueToJson(v: ProtoValue | null | undefined): JsonValue {
  if (!v) return null;
  switch (v.kind) {
    case 'nullValue':
      return null;
    case 'numberValue':
      if (!Number.isFinite(v.numberValue)) {
        throw new StructError(`a number value is ${v.numberValue}, which JSON cannot hold`);
      }
      return v.numberValue!;
    case 'stringValue':
      return v.stringValue ?? '';
    case 'boolValue':
      return v.boolValue ?? false;
    case 'structValue':
      return structToJson(v.structValue);
    case 'listValue':
      return (v.listValue?.values ?? []).map(valueToJson);
    default:
      // A Value with no kind set is how proto3 says null.
      return null;
  }
}

