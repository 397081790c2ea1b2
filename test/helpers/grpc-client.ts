// A grpc-js client of the station's SensorAPI, built from our proto files the
// way any Node sensor would build one.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { REPO } from './tk-process.js';

const def = protoLoader.loadSync(['trapperkeeper/sensor/v1/sensor_api.proto', 'grpc/health/v1/health.proto'], {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [join(REPO, 'proto')],
});
const pkg = grpc.loadPackageDefinition(def) as unknown as {
  trapperkeeper: { sensor: { v1: { SensorAPI: grpc.ServiceClientConstructor } } };
  grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
};

export type Client = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

export function sensorClient(address: string): Client {
  return new pkg.trapperkeeper.sensor.v1.SensorAPI(address, grpc.credentials.createInsecure()) as Client;
}

export function healthClient(address: string): Client {
  return new pkg.grpc.health.v1.Health(address, grpc.credentials.createInsecure()) as Client;
}

export function unary<T>(client: Client, method: string, request: unknown, metadata = new grpc.Metadata()): Promise<T> {
  return new Promise((resolve, reject) => {
    (client[method] as (r: unknown, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, v: T) => void) => void).call(
      client, request, metadata, (e, v) => (e ? reject(e) : resolve(v)));
  });
}

/** JSON → google.protobuf.Value as proto-loader expects it. */
export function toValue(v: unknown): Record<string, unknown> {
  if (v === null) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  return { structValue: toStruct(v as Record<string, unknown>) };
}

export function toStruct(o: Record<string, unknown>): { fields: Record<string, unknown> } {
  return { fields: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, toValue(v)])) };
}

export { grpc };
