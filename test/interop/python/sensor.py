"""A foreign sensor: Debian's Python gRPC client, with stubs that protoc
generated from our proto files, reporting to a running `tk serve`.

usage: sensor.py STUBS_DIR ADDRESS EVENT_ID_1 EVENT_ID_2
Prints one JSON object with what the station answered.
"""
import json
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from google.protobuf import struct_pb2, timestamp_pb2  # noqa: E402
from trapperkeeper.sensor.v1 import event_pb2, sensor_api_pb2, sensor_api_pb2_grpc  # noqa: E402

address, id1, id2 = sys.argv[2], sys.argv[3], sys.argv[4]
channel = grpc.insecure_channel(address)
api = sensor_api_pb2_grpc.SensorAPIStub(channel)
headers = (("x-tk-api-type", "python"), ("x-tk-api-version", "0.3.1"))


def struct(d):
    s = struct_pb2.Struct()
    s.update(d)
    return s


def event(event_id, payload, metadata=None, ts=None):
    e = event_pb2.Event(event_id=event_id, payload=struct(payload), metadata=metadata or {})
    if ts is not None:
        e.client_timestamp.CopyFrom(ts)
    return e


def results(resp):
    return {
        "results": [
            {"event_id": r.event_id, "status": sensor_api_pb2.EventStatus.Name(r.status), "error": r.error_message}
            for r in resp.results
        ],
        "accepted": resp.accepted_count,
        "rejected": resp.rejected_count,
    }


out = {}
ts = timestamp_pb2.Timestamp(seconds=1764842400, nanos=123456789)
good = event(id1, {"temperature": 95.5, "site": "north", "readings": [1, 2.5, None, True]},
             {"team": "field", "$tk.client_ip": "6.6.6.6", "$tk.api_type": "spoofed"}, ts)
out["accept"] = results(api.ReportEvents(sensor_api_pb2.ReportEventsRequest(
    events=[good, event(id2, {"nested": {"deep": {"ok": True}}})], sensor_id="py-sensor-01"), metadata=headers))

deep = {"leaf": 1}
for _ in range(40):
    deep = {"n": deep}
bad = [
    event("not-a-uuid", {}),
    event("018c9f8e-1234-4abc-9def-0123456789ab", {}),
    event("", {"blob": "x" * (1024 * 1024)}),
    event("", {}, {"k%d" % i: "v" for i in range(65)}),
    event("", {}, {"long": "v" * 1025}),
    event("", {}, {"k" * 129: "v"}),
    event("", {}, {"bad\x01key": "v"}),
    event("", deep),
]
out["reject"] = results(api.ReportEvents(sensor_api_pb2.ReportEventsRequest(events=bad), metadata=headers))

out["resend"] = results(api.ReportEvents(sensor_api_pb2.ReportEventsRequest(
    events=[good, event(id1, {"temperature": 0}, {"team": "field"}, ts)], sensor_id="py-sensor-01"), metadata=headers))

try:
    api.ReportEvents(sensor_api_pb2.ReportEventsRequest(events=[event("", {}) for _ in range(1001)]))
    out["over_limit"] = "accepted"
except grpc.RpcError as e:
    out["over_limit"] = {"code": e.code().name, "details": e.details()}

sync = api.SyncRules(sensor_api_pb2.SyncRulesRequest(tags=[]))
again = api.SyncRules(sensor_api_pb2.SyncRulesRequest(tags=[]), metadata=(("if-none-match", sync.etag),))
north = api.SyncRules(sensor_api_pb2.SyncRulesRequest(tags=["site=north", "production"]))
south = api.SyncRules(sensor_api_pb2.SyncRulesRequest(tags=["site=south"]))
out["sync"] = {
    "ids": [r.rule_id for r in sync.rules],
    "etag": sync.etag,
    "again": {"count": len(again.rules), "etag": again.etag},
    "north": [r.rule_id for r in north.rules],
    "south": [r.rule_id for r in south.rules],
    "first_condition_path": [
        seg.WhichOneof("segment_type") for seg in sync.rules[0].or_groups[0].conditions[0].field_path.segments
    ] if sync.rules else [],
}

print(json.dumps(out))
