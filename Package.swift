// swift-tools-version:6.1
//
// ecgxai — explain and audit deep-learning models for 12-lead ECG analysis.
// Module map and data flow: see README.md and docs/.

import PackageDescription

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
    .library(name: "ECGAuditStore", targets: ["ECGAuditStore"]),
    .library(name: "ECGConcepts", targets: ["ECGConcepts"]),
    .library(name: "ECGDiscovery", targets: ["ECGDiscovery"]),
    .library(name: "ECGReport", targets: ["ECGReport"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    // results.sqlite of the audit: SQLite built from source with the package (its C target, whose
    // API ecgxai calls directly; pinned to the minor version whose target name it imports).
    .package(url: "https://github.com/vapor/sqlite-nio", .upToNextMinor(from: "1.13.2")),
    // The expert-rules file of the audit.
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    // ONNX import (the runtime library only; the generated onnx.pb.swift is committed).
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    // SHA-256 of model weights and dataset indices (the provenance of every result).
    .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
  ],
  targets: [
    // MARK: - Public API
    .target(name: "ECGTensor", dependencies: ["_ECGKernels", .product(name: "Crypto", package: "swift-crypto")]),
    .target(
      name: "ECGNet",
      dependencies: ["ECGTensor", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
    .target(name: "ECGSignal", dependencies: ["ECGTensor"]),
    .target(name: "ECGExplain", dependencies: ["ECGNet", "ECGSignal", "ECGTensor"]),
    .target(name: "ECGPhantom", dependencies: ["ECGSignal", "ECGTensor"]),
    .target(name: "ECGEvaluate", dependencies: ["ECGExplain", "ECGNet", "ECGSignal", "ECGTensor"]),
    .target(name: "ECGStatistics"),
    .target(name: "ECGAudit", dependencies: ["ECGStatistics", "ECGExplain", "ECGNet", "ECGSignal", "ECGTensor"]),
    // The audit's files: results.sqlite and the shards' partial results (SQLite), the YAML rules.
    .target(
      name: "ECGAuditStore",
      dependencies: [
        "ECGAudit", "ECGStatistics", "ECGTensor",
        .product(name: "SQLiteNIO", package: "sqlite-nio"), .product(name: "Yams", package: "Yams"),
      ]),
    .target(name: "ECGConcepts", dependencies: ["ECGStatistics", "ECGExplain", "ECGNet", "ECGSignal", "ECGTensor"]),
    .target(name: "ECGDiscovery", dependencies: ["ECGTensor", "_ECGKernels", "ECGSignal", "ECGNet", "ECGExplain", "ECGAudit", "ECGConcepts"]),
    .target(name: "ECGReport", dependencies: ["ECGSignal", "ECGConcepts", "ECGAudit", "ECGAuditStore", "ECGDiscovery", "ECGEvaluate", "ECGExplain"]),

    // MARK: - Implementation details
    /// The FMA micro-kernel of the GEMM, in C (run-time dispatch AVX-512 / AVX2 / baseline), and the
    /// two libc process settings ecgxai makes (malloc thresholds, line-buffered stdout).
    .target(name: "_ECGKernels"),

    // MARK: - Command-line tool
    .executableTarget(
      name: "ecgxai",
      dependencies: [
        "ECGTensor", "ECGNet", "ECGSignal", "ECGExplain", "ECGEvaluate", "ECGStatistics", "ECGAudit", "ECGAuditStore", "ECGConcepts", "ECGDiscovery", "ECGPhantom", "ECGReport", "_ECGKernels",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        // Run configuration files (YAML or JSON).
        .product(name: "Yams", package: "Yams"),
      ]),

    // MARK: - Unit test bundles
    .testTarget(name: "ECGTensorTests", dependencies: ["ECGTensor"]),
    .testTarget(
      name: "ECGNetTests", dependencies: ["ECGNet", "ECGTensor"]),
    .testTarget(name: "ECGExplainTests", dependencies: ["ECGExplain", "ECGNet", "ECGSignal", "ECGPhantom", "ECGTensor"]),
    // ECGSignal's detectors are scored on the phantom's exact truth.
    .testTarget(name: "ECGSignalTests", dependencies: ["ECGSignal", "ECGTensor", "ECGPhantom"]),
    .testTarget(name: "ECGPhantomTests", dependencies: ["ECGPhantom", "ECGSignal", "ECGTensor"]),
    .testTarget(name: "ECGEvaluateTests", dependencies: ["ECGEvaluate", "ECGExplain", "ECGNet", "ECGPhantom", "ECGSignal", "ECGTensor"]),
    .testTarget(name: "ECGStatisticsTests", dependencies: ["ECGStatistics"]),
    .testTarget(
      name: "ECGAuditTests",
      dependencies: ["ECGAudit", "ECGAuditStore", "ECGStatistics", "ECGSignal", "ECGPhantom", "ECGNet", "ECGExplain"]),
    .testTarget(name: "ECGConceptsTests", dependencies: ["ECGConcepts", "ECGStatistics", "ECGExplain", "ECGNet", "ECGSignal", "ECGPhantom", "ECGTensor"]),
    .testTarget(name: "ECGDiscoveryTests", dependencies: ["ECGDiscovery", "ECGExplain", "ECGNet", "ECGPhantom", "ECGSignal"]),
    .testTarget(name: "ECGReportTests", dependencies: ["ECGReport", "ECGConcepts", "ECGExplain", "ECGNet", "ECGTensor"]),
    // The README's library example (discovery and an audit without the CLI).
    .testTarget(
      name: "LibraryExampleTests",
      dependencies: ["ECGAudit", "ECGAuditStore", "ECGDiscovery", "ECGExplain", "ECGNet", "ECGPhantom", "ECGSignal"]),
    // Runs the built `ecgxai` executable as a user would (it is built with the tests).
    .testTarget(name: "ecgxaiTests", dependencies: ["ecgxai", "ECGAudit", "ECGAuditStore", "ECGSignal"]),
  ],
  swiftLanguageModes: [.v6]
)
