// The gRPC listener (PRODUCT §4 "gRPC"): trapperkeeper.sensor.v1.SensorAPI and
// grpc.health.v1 over @grpc/grpc-js. This folder is the only one that imports
// @grpc/*; the work itself is in core/ingest.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import { PACKAGE_ROOT } from '../package-root.js';
import { STATION_VERSION } from '../version.js';
import type { EventStore } from '../store/event-store.js';
import { BatchLimitError, DEFAULT_BATCH_LIMIT, MalformedRequestError, storePrepared, type ReportResult } from '../ingest/report-events.js';
import { arrivalFacts } from '../ingest/ingest-task.js';
import { LinePool } from '../parallel/line-pool.js';
import { clientIpOf } from '../ingest/peer-address.js';
import { syncRules, type RuleSync } from '../rules/rule-sync.js';
import { checkApiKey } from '../domain/api-key.js';
import { ListenerActivity, type ActivitySnapshot } from '../ingest/listener-activity.js';
import { snapshotOfDefinition, stationRules } from '../rules/station-evaluation.js';

export const SENSOR_SERVICE = 'trapperkeeper.sensor.v1.SensorAPI';
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/**
 * HTTP/2 flow-control window per connection and stream. grpc-js 1.14 ignores
 * its own window option, and Node's default 64 KiB window makes a client wait
 * for WINDOW_UPDATEs several times per 1 MB batch.
 */
const HTTP2_WINDOW_BYTES = 16 * 1024 * 1024;

export interface ListenerOptions {
  /** HOST:PORT; port 0 picks a free one. */
  address: string;
  batchLimit?: number;
  maxMessageBytes?: number;
  /** Sensors must present an API key (x-api-key); always so beyond loopback. */
  requireApiKey?: boolean;
  /** Evaluate the station's ACTIVE rules for events reported without a match (`tk serve --evaluate`). */
  evaluate?: boolean;
  /** Called with each ReportEvents call's time from its bytes arriving to its answer (ms). */
  onCallTime?: (ms: number) => void;
  log?: (message: string) => void;
}

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
  includeDirs: [join(PACKAGE_ROOT, 'proto')],
};

interface HealthService {
  Check: grpc.handleUnaryCall<{ service?: string }, { status: string }>;
  Watch: grpc.handleServerStreamingCall<{ service?: string }, { status: string }>;
}

function loadService(file: string, path: string[]): grpc.ServiceDefinition {
  const def = protoLoader.loadSync(file, LOADER_OPTIONS);
  let node: unknown = grpc.loadPackageDefinition(def);
  for (const part of path) node = (node as Record<string, unknown>)[part];
  return (node as { service: grpc.ServiceDefinition }).service;
}

/** A ReportEvents call as it arrives: its bytes, not yet decoded. */
interface RawCall {
  bytes: Buffer;
  arrived: bigint;
}

/** Raises the HTTP/2 windows of grpc-js's underlying servers (see HTTP2_WINDOW_BYTES). */
function widenFlowControl(server: grpc.Server): void {
  // Not public API: grpc-js keeps its http2 servers in a private map.
  const servers = (server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  for (const h2 of servers?.keys() ?? []) {
    h2.updateSettings({ initialWindowSize: HTTP2_WINDOW_BYTES });
    h2.on('session', (session: ServerHttp2Session) => session.setLocalWindowSize(HTTP2_WINDOW_BYTES));
  }
}

/** What the listener view shows. */
export interface ListenerStatus extends ActivitySnapshot {
  address: string;
  /** api_key: sensors must present x-api-key; open: loopback sensors need none. */
  authMode: 'api_key' | 'open';
  startedAt: string;
}

export class SensorListener {
  private serving = true;
  private startedAt = '';
  private authMode: ListenerStatus['authMode'] = 'open';
  private readonly watchers = new Set<grpc.ServerWritableStream<{ service?: string }, { status: string }>>();

  private constructor(
    private readonly server: grpc.Server,
    /** The bound address, with the real port. */
    readonly address: string,
    private readonly pool: LinePool,
    private readonly activity: ListenerActivity,
  ) {}

  status(): ListenerStatus {
    return { address: this.address, authMode: this.authMode, startedAt: this.startedAt, ...this.activity.snapshot() };
  }

  static async start(store: EventStore, opts: ListenerOptions): Promise<SensorListener> {
    const batchLimit = opts.batchLimit ?? DEFAULT_BATCH_LIMIT;
    const maxBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const log = opts.log ?? (() => {});
    const server = new grpc.Server({
      'grpc.max_receive_message_length': maxBytes,
      'grpc.max_send_message_length': maxBytes,
    });
    const loaded = loadService('trapperkeeper/sensor/v1/sensor_api.proto', ['trapperkeeper', 'sensor', 'v1', 'SensorAPI']);
    // ReportEvents requests are decoded by our own wire decoder, straight to JSON.
    const sensorApi: grpc.ServiceDefinition = {
      ...loaded,
      // The bytes go to a worker thread as they are; decoding happens there.
      ReportEvents: { ...loaded.ReportEvents!, requestDeserialize: (b: Buffer): RawCall => ({ bytes: b, arrived: process.hrtime.bigint() }) },
    };
    const health = loadService('grpc/health/v1/health.proto', ['grpc', 'health', 'v1', 'Health']);
    let listener: SensorListener | undefined;
    const pool = LinePool.create();
    const activity = new ListenerActivity();
    // Keys cannot change while the station runs (`tk keys` needs the store), so they are read once.
    const secrets = store.station.hmacSecrets();
    // Rules cannot change while the station runs either (`tk rules import` needs the store).
    const ruleSnapshots = opts.evaluate ? store.station.rules().filter((r) => r.state === 'active').map(snapshotOfDefinition) : undefined;
    if (ruleSnapshots) stationRules(ruleSnapshots); // a rule the evaluator cannot read fails the start, not every call
    const keys = store.station.storedKeys();
    /** null when the call may go on; otherwise the status to end it with. Keys are never logged. */
    const refuse = (call: { metadata: grpc.Metadata }): grpc.ServiceError | null => {
      if (!opts.requireApiKey) return null;
      const v = call.metadata.get('x-api-key')[0];
      const check = checkApiKey(v === undefined ? undefined : String(v), secrets, keys);
      if (check.ok) return null;
      const code = check.kind === 'revoked' ? grpc.status.PERMISSION_DENIED : grpc.status.UNAUTHENTICATED;
      return Object.assign(new Error(check.message), { code, details: check.message, metadata: new grpc.Metadata() });
    };

    server.addService(sensorApi, {
      SyncRules: (call: grpc.ServerUnaryCall<{ tags?: string[] }, RuleSync>, callback: grpc.sendUnaryData<RuleSync>) => {
        const refused = refuse(call);
        if (refused) return callback(refused);
        try {
          const ifNoneMatch = call.metadata.get('if-none-match')[0];
          callback(null, syncRules(store.station.rules(), call.request.tags ?? [], ifNoneMatch === undefined ? undefined : String(ifNoneMatch)));
        } catch (err) {
          log(`SyncRules failed: ${(err as Error).stack ?? err}`);
          callback({ code: grpc.status.INTERNAL, details: `station error: ${(err as Error).message}` });
        }
      },
      ReportEvents: (call: grpc.ServerUnaryCall<RawCall, ReportResult>, callback: grpc.sendUnaryData<ReportResult>) => {
        const refused = refuse(call);
        if (refused) {
          activity.recordRefusedCall(store.now().toString(), clientIpOf(call.getPeer()) ?? null, refused.details ?? refused.message);
          return callback(refused);
        }
        const first = (key: string) => {
          const v = call.metadata.get(key)[0];
          return v === undefined ? undefined : String(v);
        };
        const arrival = {
          receivedAt: store.now(),
          serverVersion: STATION_VERSION,
          clientIp: clientIpOf(call.getPeer()),
          apiType: first('x-tk-api-type'),
          apiVersion: first('x-tk-api-version'),
        };
        const timed = <T>(v: T): T => {
          opts.onCallTime?.(Number(process.hrtime.bigint() - call.request.arrived) / 1e6);
          return v;
        };
        const at = arrival.receivedAt.toString();
        const clientIp = arrival.clientIp ?? null;
        pool.ingest(call.request.bytes, arrivalFacts(arrival, ruleSnapshots)).then(async (prepared) => {
          const result = await storePrepared(store, prepared, batchLimit);
          activity.recordCall(at, clientIp, result.results.map((r, i) => ({
            eventId: r.event_id,
            sensorId: prepared.events[i]?.encoded?.sensorId ?? null,
            status: r.status,
            reason: r.error_message,
          })));
          return result;
        }).then(
          (result) => callback(null, timed(result)),
          (err: Error) => {
            if (err instanceof BatchLimitError || err instanceof MalformedRequestError) {
              activity.recordRefusedCall(at, clientIp, err.message);
              callback({ code: grpc.status.INVALID_ARGUMENT, details: err.message });
            }
            else {
              log(`ReportEvents failed: ${err.stack ?? err.message}`);
              callback({ code: grpc.status.INTERNAL, details: `station error: ${err.message}` });
            }
          },
        );
      },
    });

    const statusOf = (service: string | undefined): string | null => {
      if (service && service !== SENSOR_SERVICE) return null;
      return listener?.serving ? 'SERVING' : 'NOT_SERVING';
    };
    const healthImpl: HealthService = {
      Check: (call, callback) => {
        const status = statusOf(call.request.service);
        if (status === null) callback({ code: grpc.status.NOT_FOUND, details: `unknown service ${call.request.service}` });
        else callback(null, { status });
      },
      Watch: (call) => {
        const status = statusOf(call.request.service);
        call.write({ status: status ?? 'SERVICE_UNKNOWN' });
        listener?.watchers.add(call);
        call.on('cancelled', () => listener?.watchers.delete(call));
      },
    };
    server.addService(health, healthImpl as unknown as grpc.UntypedServiceImplementation);

    let port: number;
    try {
      port = await new Promise<number>((resolve, reject) =>
        server.bindAsync(opts.address, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
      );
    } catch (e) {
      await pool.close();
      throw e;
    }
    widenFlowControl(server);
    const host = opts.address.slice(0, opts.address.lastIndexOf(':'));
    listener = new SensorListener(server, `${host}:${port}`, pool, activity);
    listener.startedAt = store.now().toString();
    listener.authMode = opts.requireApiKey ? 'api_key' : 'open';
    return listener;
  }

  /** Stops taking calls, lets the ones in flight finish (their lines durable), then closes. */
  async stop(graceMs = 10_000): Promise<void> {
    this.serving = false;
    for (const w of this.watchers) {
      w.write({ status: 'NOT_SERVING' });
      w.end();
    }
    this.watchers.clear();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    await this.pool.close();
  }
}
