#!/usr/bin/env bash
# One-off: regenerates Sources/MeshtopOTLPProto from the OTLP, google.rpc.Status and Zipkin proto3 schemas.
# The build never runs this (nor protoc, nor a plugin): the generated Swift is committed. Run it again only when
# moving to a newer opentelemetry-proto or swift-protobuf / grpc-swift-protobuf.
#
# Needs:
#   - python3 with grpcio-tools (protoc, with Google's well-known protos) and opentelemetry-proto (1.45.2 used):
#     the OTLP schemas are taken from the FileDescriptorProtos embedded in its *_pb2.py modules, so the generated
#     code matches the SDK's wire format field for field;
#   - protoc-gen-swift (apple/swift-protobuf 1.39.0) and protoc-gen-grpc-swift-2 (grpc/grpc-swift-protobuf 2.4.1),
#     found via $PROTOC_GEN_SWIFT / $PROTOC_GEN_GRPC_SWIFT or on PATH.
# google/rpc/status.proto and zipkin/zipkin.proto are small schemas kept next to this script (scripts/proto).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/Sources/MeshtopOTLPProto"
protos="$root/scripts/proto"
swift_plugin="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift)}"
grpc_plugin="${PROTOC_GEN_GRPC_SWIFT:-$(command -v protoc-gen-grpc-swift-2)}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The OTLP schemas as a FileDescriptorSet, dependencies first.
python3 - "$tmp/otlp.pb" <<'PY'
import sys
from google.protobuf import descriptor_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.resource.v1 import resource_pb2
from opentelemetry.proto.trace.v1 import trace_pb2
from opentelemetry.proto.logs.v1 import logs_pb2
from opentelemetry.proto.metrics.v1 import metrics_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2

fds = descriptor_pb2.FileDescriptorSet()
for module in (common_pb2, resource_pb2, trace_pb2, logs_pb2, metrics_pb2,
               trace_service_pb2, logs_service_pb2, metrics_service_pb2):
    fds.file.add().MergeFromString(module.DESCRIPTOR.serialized_pb)
open(sys.argv[1], "wb").write(fds.SerializeToString())
PY

otlp_files=(
    opentelemetry/proto/common/v1/common.proto
    opentelemetry/proto/resource/v1/resource.proto
    opentelemetry/proto/trace/v1/trace.proto
    opentelemetry/proto/logs/v1/logs.proto
    opentelemetry/proto/metrics/v1/metrics.proto
    opentelemetry/proto/collector/trace/v1/trace_service.proto
    opentelemetry/proto/collector/logs/v1/logs_service.proto
    opentelemetry/proto/collector/metrics/v1/metrics_service.proto
)
services=(
    opentelemetry/proto/collector/trace/v1/trace_service.proto
    opentelemetry/proto/collector/logs/v1/logs_service.proto
    opentelemetry/proto/collector/metrics/v1/metrics_service.proto
)
swift_opts="Visibility=Public,FileNaming=PathToUnderscores"
grpc_opts="Visibility=Public,Server=true,Client=true,FileNaming=PathToUnderscores"

rm -rf "$out"
mkdir -p "$out"
protoc=(python3 -m grpc_tools.protoc --plugin=protoc-gen-swift="$swift_plugin"
    --plugin=protoc-gen-grpc-swift-2="$grpc_plugin")
"${protoc[@]}" --descriptor_set_in="$tmp/otlp.pb" --swift_out="$swift_opts:$out" "${otlp_files[@]}"
"${protoc[@]}" --descriptor_set_in="$tmp/otlp.pb" --grpc-swift-2_out="$grpc_opts:$out" "${services[@]}"
well_known="$(python3 -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')"
"${protoc[@]}" --proto_path="$protos" --proto_path="$well_known" --swift_out="$swift_opts:$out" \
    google/rpc/status.proto zipkin/zipkin.proto
echo "generated into $out:"
ls "$out"
