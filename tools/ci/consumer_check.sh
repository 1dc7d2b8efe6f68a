#!/usr/bin/env bash
# Proves that ecgxai's libraries can be used as a versioned dependency, as another package would:
# a throw-away package depends on ecgxai by version (a bare clone of this repository's HEAD,
# tagged 0.0.1), imports ECGNet and ECGExplain, builds the paper's lenet1d, computes a saliency
# map for one random record and prints its sum. SwiftPM refuses a versioned dependency that
# carries unsafe flags, so this also fails if any target gains them.
#   tools/ci/consumer_check.sh            (debug build of the consumer; ~3–5 min cold on 2 cores)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ecgxai-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT

git clone -q --bare "$repo" "$work/ecgxai.git"
git -C "$work/ecgxai.git" tag -f 0.0.1 "$(git -C "$repo" rev-parse HEAD)" >/dev/null

mkdir -p "$work/consumer/Sources/Consumer"
cat > "$work/consumer/Package.swift" <<SWIFT
// swift-tools-version:6.1
import PackageDescription

let package = Package(
  name: "Consumer",
  dependencies: [.package(url: "file://$work/ecgxai.git", from: "0.0.1")],
  targets: [
    .executableTarget(
      name: "Consumer",
      dependencies: [
        .product(name: "ECGNet", package: "ecgxai"),
        .product(name: "ECGExplain", package: "ecgxai"),
        .product(name: "ECGTensor", package: "ecgxai"),
      ])
  ]
)
SWIFT
cat > "$work/consumer/Sources/Consumer/main.swift" <<'SWIFT'
import ECGExplain
import ECGNet
import ECGTensor

// The paper's lenet1d for 5 classes (seeded weights), one random 12-lead 10 s record at 100 Hz.
let model = try ModelZoo.make("lenet1d", classes: 5, seed: 0)
var rng = SeededRNG(seed: 0)
let record = Tensor.randomNormal([1, 12, 1000], using: &rng)
let saliency = try Saliency().attribute(model, input: record, targets: [0])
print("saliency of lenet1d output 0: shape \(saliency.values.shape), sum \(saliency.values.sum())")
SWIFT
cd "$work/consumer"
echo "consumer: resolving ecgxai 0.0.1 from a bare clone of $(git -C "$repo" rev-parse --short HEAD)"
swift build 2>&1 | tail -n 3
swift run --skip-build Consumer
