"""API-key enforcement seen from Debian's Python gRPC client.

usage: keys.py STUBS_DIR ADDRESS GOOD_KEY REVOKED_KEY
Prints one JSON object: the status code name of each attempt.
"""
import json
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from trapperkeeper.sensor.v1 import sensor_api_pb2, sensor_api_pb2_grpc  # noqa: E402

address, good, revoked = sys.argv[2], sys.argv[3], sys.argv[4]
api = sensor_api_pb2_grpc.SensorAPIStub(grpc.insecure_channel(address))


def attempt(metadata):
    try:
        api.SyncRules(sensor_api_pb2.SyncRulesRequest(), metadata=metadata)
        return "OK"
    except grpc.RpcError as e:
        return e.code().name


print(json.dumps({
    "missing": attempt(()),
    "malformed": attempt((("x-api-key", "tk-v1-nope"),)),
    "good": attempt((("x-api-key", good),)),
    "revoked": attempt((("x-api-key", revoked),)),
}))
