// swift-tools-version:6.0
// lntrace: a Lightning Network message-trace analyzer.
//
// Targets follow the data flow, each importing only stages to its left (and `Basics`, which
// every target may import: the JSON writer, the hex codec, SHA-256):
//   Capture → Transport ┐
//                       ├→ Wire → Trace → Rules → Hazards → Report → Session → lntrace (CLI)
//   NodeLogs ───────────┘
// Beside it, BOLT #3 (Transactions) and the BOLT #2 commitment ledger (Ledger) serve both
// the rules and `lntrace synth` (Synth).
import PackageDescription

let package = Package(
    name: "lntrace",
    products: [
        .executable(name: "lntrace", targets: ["lntrace"]),
        // The input surfaces as functions of bytes, for the fuzz targets in `Fuzz/`.
        .library(name: "FuzzHarness", targets: ["FuzzHarness"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // C libraries from Debian; each package is listed in Scripts/debian-packages.txt.
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // What every stage may use, and nothing of ours: the JSON writer, the hex codec and
        // SHA-256, each implemented once.
        .target(name: "Basics", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),

        // Where evidence came from: timestamps, source locations, input diagnostics.
        .target(name: "Provenance", dependencies: ["CZlib"]),

        // secp256k1 over libsecp256k1: keys, ECDH (BOLT #8), ECDSA.
        .target(name: "Secp256k1", dependencies: ["CSecp256k1"]),

        // Link layer, IP and TCP: pcap/pcapng frames to per-direction TCP byte streams, each
        // held for its decoder in a `StreamBuffer` that knows which frames carried its bytes.
        .target(name: "Capture", dependencies: ["CPcap", "Provenance"]),

        // BOLT #8: Noise_XK handshake, ChaCha20-Poly1305 frames, key rotation, and the
        // `ConnectionDecoder` of a recorded connection (handshake detection, alignment search
        // by trial decryption, gaps). It reads byte slices: it imports neither Capture nor Wire.
        // Frames are opened with the BoringSSL that swift-crypto builds (module CCryptoBoringSSL,
        // reached through the Crypto product), without ChaChaPoly's per-frame `Data`.
        .target(
            name: "Transport",
            dependencies: [
                "Basics", "Secp256k1",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // BOLT #1/#2/#7 message codec: fundamental types, TLV streams, every message type.
        .target(
            name: "Wire",
            dependencies: ["Basics"],
            exclude: ["Schema"]
        ),

        // `lntrace synth`: scenario files to real captures and key logs.
        .target(
            name: "Synth",
            dependencies: [
                "Basics", "Capture", "Transport", "Wire", "Secp256k1", "Provenance", "Transactions", "Ledger",
                // Each log dialect's names and line markers, shared with its parser.
                "NodeLogs",
            ]
        ),

        // Line-oriented text inputs: node logs (lnd, CLN, eclair, LDK) and hex dumps.
        .target(name: "NodeLogs", dependencies: ["Basics", "Provenance", "Wire", "Secp256k1"]),

        // Message events with their sources; opening inputs and detecting their formats; the
        // wiring of a capture's TCP streams through the Transport decoder into message events.
        .target(name: "Trace", dependencies: ["Basics", "Provenance", "Capture", "Transport", "Wire", "NodeLogs"]),

        // BOLT #3: keys, scripts, commitment and HTLC transactions, signature digests, trimming,
        // per-commitment secrets; a channel's two sides (`Side`, `PerSide`).
        .target(
            name: "Transactions",
            dependencies: ["Basics", "Secp256k1"]
        ),

        // The BOLT #2 commitment ledger: each side's updates, signings and revocations, what
        // each commitment includes, the states of an update's life. Shared by Rules and Synth.
        .target(name: "Ledger", dependencies: ["Basics", "Transactions"]),

        // The rules engine: connection and channel models, the rule catalog, findings.
        .target(
            name: "Rules",
            dependencies: [
                "Basics", "Provenance", "Wire", "Trace", "Secp256k1", "Transactions", "Ledger",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // Reorder hazards: dispatch profiles, and replays of a channel in another order.
        .target(name: "Hazards", dependencies: ["Provenance", "Wire", "Trace", "Rules"]),

        // Text, JSON and JSON Lines output: one reporter per format, behind one protocol.
        .target(name: "Report", dependencies: ["Basics", "Provenance", "Capture", "Wire", "Trace", "Rules", "Hazards"]),

        // `lntrace check` as a library: inputs through the rules engines, the hazard analyzer
        // and the filters into a report, and the exit status.
        .target(name: "Session", dependencies: ["Basics", "Provenance", "Wire", "Trace", "Rules", "Hazards", "Report"]),

        // Every input surface as a function of arbitrary bytes, with its invariants: the body
        // of each libFuzzer target (`Fuzz/`) and of the hostile-input regression tests.
        .target(
            name: "FuzzHarness",
            dependencies: [
                "Basics", "Provenance", "Wire", "Transport", "Transactions", "NodeLogs", "Trace", "Rules", "Hazards", "Report", "Session", "Synth",
            ]),

        // The lntrace command line: argument parsing and wiring only.
        .executableTarget(
            name: "lntrace",
            dependencies: [
                "Trace", "Rules", "Hazards", "Report", "Session", "Transport", "Synth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Shared by the test targets: locating `Fixtures/`, scenarios made into captures.
        .target(
            name: "TestSupport",
            dependencies: ["Basics", "Synth"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "BasicsTests", dependencies: ["Basics"]),
        .testTarget(name: "WireTests", dependencies: ["Basics", "Wire", "TestSupport"]),
        .testTarget(
            name: "TransportTests",
            dependencies: ["Basics", "Transport", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "Provenance"]),
        .testTarget(name: "NodeLogsTests", dependencies: ["Basics", "NodeLogs", "Provenance", "Wire"]),
        .testTarget(name: "TraceTests", dependencies: ["Basics", "Trace", "NodeLogs", "Provenance", "Wire", "TestSupport"]),
        .testTarget(name: "TransactionsTests", dependencies: ["Basics", "Transactions", "Secp256k1", "TestSupport"]),
        .testTarget(name: "LedgerTests", dependencies: ["Basics", "Ledger", "Transactions"]),
        .testTarget(
            name: "SynthTests",
            dependencies: ["Basics", "Synth", "Ledger", "Transactions", "Trace", "Transport", "Wire", "Provenance", "TestSupport"]),
        .testTarget(name: "ProvenanceTests", dependencies: ["Provenance"]),
        .testTarget(name: "HazardsTests", dependencies: ["Hazards", "Rules", "Report", "Session", "Trace", "Provenance", "TestSupport", "lntrace"]),
        .testTarget(
            name: "RulesTests",
            dependencies: ["Basics", "Rules", "Hazards", "Report", "Session", "Trace", "Wire", "Provenance", "Synth", "TestSupport", "lntrace"]),
        // The reporters on hand-built records: what each format writes, parsed back.
        .testTarget(name: "ReportTests", dependencies: ["Basics", "Report", "Rules", "Hazards", "Trace", "Capture", "Wire", "Provenance"]),
        // Every input a fuzzer or a user crashed lntrace with (`Fixtures/hostile/`), replayed.
        .testTarget(name: "HostileTests", dependencies: ["FuzzHarness", "Capture", "Provenance", "Trace", "TestSupport", "lntrace"]),
        // End-to-end: runs the built `lntrace` executable.
        .testTarget(name: "CLITests", dependencies: ["lntrace", "TestSupport"]),
    ]
)

// Release builds skip the run-time exclusivity checks (the compile-time ones stay): the
// capture path reads and writes class properties per packet, and the checks were 10% of
// `stats`' instructions (`valgrind --tool=callgrind`, BENCHMARKS.md). Debug builds, and so
// every test run, keep them.
for target in package.targets where target.type == .regular || target.type == .executable {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
}
