// Baseline for the gRPC ingest benchmark: a SensorAPI built the obvious way —
// grpc-js + @grpc/proto-loader with default settings — that decodes each
// request and answers with counts, storing nothing. Prints `grpc: HOST:PORT`.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

const protoDir = fileURLToPath(new URL('../proto', import.meta.url));
const def = protoLoader.loadSync('trapperkeeper/sensor/v1/sensor_api.proto', { includeDirs: [protoDir] });
const pkg = grpc.loadPackageDefinition(def);
const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
server.addService(pkg.trapperkeeper.sensor.v1.SensorAPI.service, {
  ReportEvents: (call, callback) => {
    const n = call.request.events.length;
    callback(null, { results: [], acceptedCount: n, rejectedCount: 0 });
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`grpc: 127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
