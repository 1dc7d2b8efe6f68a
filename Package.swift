// swift-tools-version:6.1
//
// ecgxai — explain and audit deep-learning models for 12-lead ECG analysis.
// Module map and data flow: see README.md and docs/.

import PackageDescription

/// Release builds of the numeric targets are compiled for the build machine's instruction set
/// (AVX-512 / AVX2+FMA are worth up to 7x over baseline x86-64 in the GEMM kernel, see
/// docs/benchmarks.md). Set `ECGXAI_PORTABLE=1` when building to get a binary for any x86-64.
let portable = Context.environment["ECGXAI_PORTABLE"] == "1"
let numericFlags: [SwiftSetting] =
  portable
  ? [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
  : [.unsafeFlags(["-Ounchecked", "-target-cpu", "native"], .when(configuration: .release))]

let package = Package(
  name: "ecgxai",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "ecgxai", targets: ["ecgxai"]),
    .library(name: "ECGTensor", targets: ["ECGTensor"]),
    .library(name: "ECGNet", targets: ["ECGNet"]),
    .library(name: "ECGSignal", targets: ["ECGSignal"]),
    .library(name: "ECGExplain", targets: ["ECGExplain"]),
    .library(name: "ECGPhantom", targets: ["ECGPhantom"]),
    .library(name: "ECGEvaluate", targets: ["ECGEvaluate"]),
    .library(name: "ECGStatistics", targets: ["ECGStatistics"]),
    .library(name: "ECGAudit", targets: ["ECGAudit"]),
    .library(name: "ECGConcepts", targets: ["ECGConcepts"]),
    .library(name: "ECGDiscovery", targets: ["ECGDiscovery"]),
    .library(name: "ECGReport", targets: ["ECGReport"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    // results.sqlite of the audit (needs the system SQLite: Debian's libsqlite3-dev).
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    // The expert-rules file of the audit.
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    // ONNX import (the runtime library only; the generated onnx.pb.swift is committed).
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
  ],
  targets: [
    // MARK: - Public API
    .target(name: "ECGTensor", dependencies: ["_ECGKernels"], swiftSettings: numericFlags),
    .target(
      name: "ECGNet",
      dependencies: ["ECGTensor", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
      swiftSettings: numericFlags),
    .target(name: "ECGSignal", dependencies: ["ECGTensor"], swiftSettings: numericFlags),
    .target(name: "ECGExplain", dependencies: ["ECGNet", "ECGTensor"], swiftSettings: numericFlags),
    .target(name: "ECGPhantom", dependencies: ["ECGSignal", "ECGTensor"], swiftSettings: numericFlags),
    .target(name: "ECGEvaluate", dependencies: ["ECGExplain", "ECGNet", "ECGTensor"], swiftSettings: numericFlags),
    .target(name: "ECGStatistics"),
    .target(
      name: "ECGAudit",
      dependencies: [
        "ECGStatistics", "ECGExplain", "ECGNet", "ECGSignal", "ECGPhantom", "ECGTensor",
        .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Yams", package: "Yams"),
      ],
      swiftSettings: numericFlags),
    .target(name: "ECGConcepts", dependencies: ["ECGStatistics", "ECGNet", "ECGTensor"], swiftSettings: numericFlags),
    .target(name: "ECGDiscovery", dependencies: ["ECGTensor"], swiftSettings: numericFlags),
    .target(name: "ECGReport", dependencies: ["ECGSignal", "ECGConcepts"]),

    // MARK: - Implementation details
    /// The FMA micro-kernel of the GEMM, in C (run-time dispatch AVX-512 / AVX2 / baseline), and the
    /// two libc process settings ecgxai makes (malloc thresholds, line-buffered stdout).
    .target(name: "_ECGKernels"),

    // MARK: - Command-line tool
    .executableTarget(
      name: "ecgxai",
      dependencies: [
        "ECGTensor", "ECGNet", "ECGSignal", "ECGExplain", "ECGEvaluate", "ECGStatistics", "ECGAudit", "ECGConcepts", "ECGDiscovery", "ECGPhantom", "ECGReport", "_ECGKernels",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        // Run configuration files (YAML or JSON).
        .product(name: "Yams", package: "Yams"),
      ],
      swiftSettings: numericFlags),

    // MARK: - Unit test bundles
    .testTarget(name: "ECGTensorTests", dependencies: ["ECGTensor"]),
    .testTarget(
      name: "ECGNetTests", dependencies: ["ECGNet", "ECGTensor"]),
    .testTarget(name: "ECGExplainTests", dependencies: ["ECGExplain", "ECGNet", "ECGTensor"]),
    // ECGSignal's detectors are scored on the phantom's exact truth.
    .testTarget(name: "ECGSignalTests", dependencies: ["ECGSignal", "ECGTensor", "ECGPhantom"]),
    .testTarget(name: "ECGPhantomTests", dependencies: ["ECGPhantom", "ECGSignal", "ECGTensor"]),
    .testTarget(name: "ECGEvaluateTests", dependencies: ["ECGEvaluate"]),
    .testTarget(name: "ECGStatisticsTests", dependencies: ["ECGStatistics"]),
    .testTarget(name: "ECGAuditTests", dependencies: ["ECGAudit", "ECGStatistics", "ECGSignal", "ECGPhantom"]),
    .testTarget(name: "ECGConceptsTests", dependencies: ["ECGConcepts", "ECGStatistics", "ECGNet", "ECGTensor"]),
    .testTarget(name: "ECGDiscoveryTests", dependencies: ["ECGDiscovery"]),
    .testTarget(name: "ECGReportTests", dependencies: ["ECGReport", "ECGConcepts"]),
    // Runs the built `ecgxai` executable as a user would (it is built with the tests).
    .testTarget(name: "ecgxaiTests", dependencies: ["ecgxai"]),
  ],
  swiftLanguageModes: [.v6]
)
