#!/usr/bin/env bash
# Regenerates Sources/ECGNet/IO/ONNX/onnx.pb.swift from onnx.proto (run once per ONNX proto
# update; the generated file is committed so that building ecgxai needs neither protoc nor the
# plugin).
#
# Needs:
#   - onnx.proto: it ships inside the onnx Python wheel (…/site-packages/onnx/onnx.proto); set
#     ONNX_PROTO=path or have the reference environment .venv-ref (tools/reference/requirements.txt);
#   - protoc (Debian/Ubuntu: apt-get install protobuf-compiler);
#   - protoc-gen-swift of the swift-protobuf version Package.resolved pins (about ten minutes):
#       git clone https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#       cd /tmp/swift-protobuf && git checkout 1.39.0 && swift build -c release --product protoc-gen-swift
#     then set PROTOC_GEN_SWIFT=/tmp/swift-protobuf/.build/release/protoc-gen-swift (the default).
#
# Usage: tools/generate_onnx_proto.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PROTO="${ONNX_PROTO:-$(ls "$ROOT"/.venv-ref/lib/python3*/site-packages/onnx/onnx.proto 2>/dev/null | head -1)}"
PLUGIN="${PROTOC_GEN_SWIFT:-/tmp/swift-protobuf/.build/release/protoc-gen-swift}"
OUT="$ROOT/Sources/ECGNet/IO/ONNX"
[ -f "$PROTO" ] || { echo "onnx.proto not found; set ONNX_PROTO=…/site-packages/onnx/onnx.proto" >&2; exit 1; }
[ -x "$PLUGIN" ] || { echo "protoc-gen-swift not found; set PROTOC_GEN_SWIFT (see the header of $0)" >&2; exit 1; }
command -v protoc >/dev/null || { echo "protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp "$PROTO" "$WORK/onnx.proto"
# Internal visibility: the generated message types stay out of ECGNet's public API.
protoc --plugin=protoc-gen-swift="$PLUGIN" --proto_path="$WORK" \
  --swift_out="$WORK" --swift_opt=Visibility=Internal "$WORK/onnx.proto"
mv "$WORK/onnx.pb.swift" "$OUT/onnx.pb.swift"
echo "wrote $OUT/onnx.pb.swift from $PROTO"
