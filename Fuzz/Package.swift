// swift-tools-version:6.1
//
// Coverage-guided fuzz targets (libFuzzer) for ecgxai's file readers. A package of its own, so a
// normal `swift build` / `swift test` of ecgxai never sees it. Build and run with
// `tools/fuzz.sh [seconds]` (docs/fuzzing.md), which passes `-sanitize=fuzzer,address` and
// `-parse-as-library`: each target exports `LLVMFuzzerTestOneInput` and a `main` that runs
// libFuzzer's driver on it (_FuzzDriver).

import PackageDescription

let package = Package(
  name: "ecgxai-fuzz",
  platforms: [.macOS(.v13)],
  dependencies: [
    .package(name: "ecgxai", path: ".."),
    // The run-configuration reader's YAML parser (the same requirement as ecgxai's).
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    // MARK: - Implementation details
    .target(name: "_FuzzSupport"),
    .target(name: "_FuzzDriver"),

    // MARK: - Fuzz targets
    /// WFDB header + signal files (`WFDB.read`).
    .executableTarget(
      name: "FuzzWFDB", dependencies: ["_FuzzSupport", "_FuzzDriver", .product(name: "ECGSignal", package: "ecgxai")]),
    /// NumPy `.npy` (`NumPy.read`).
    .executableTarget(
      name: "FuzzNumPy", dependencies: ["_FuzzSupport", "_FuzzDriver", .product(name: "ECGSignal", package: "ecgxai")]),
    /// safetensors (`SafeTensors.read`) and a model directory's `architecture.json` (`Model.load`).
    .executableTarget(
      name: "FuzzSafeTensors", dependencies: ["_FuzzSupport", "_FuzzDriver", .product(name: "ECGNet", package: "ecgxai")]),
    /// The run configuration (`ecgxai run FILE`, YAML or JSON): the CLI's own reader, compiled from
    /// the ecgxai target's files (symbolic links in Sources/FuzzConfig) since an executable target
    /// cannot be imported.
    .executableTarget(
      name: "FuzzConfig",
      dependencies: [
        "_FuzzDriver",
        .product(name: "ECGNet", package: "ecgxai"), .product(name: "ECGExplain", package: "ecgxai"),
        .product(name: "Yams", package: "Yams"),
      ]),
    /// Concept / subgroup rules (`ConceptRules`) and the audit's expert rules (`ExpertRules`, YAML).
    .executableTarget(
      name: "FuzzRules",
      dependencies: [
        "_FuzzSupport", "_FuzzDriver",
        .product(name: "ECGSignal", package: "ecgxai"), .product(name: "ECGAudit", package: "ecgxai"),
        .product(name: "ECGAuditStore", package: "ecgxai"),
      ]),
  ],
  swiftLanguageModes: [.v6]
)
