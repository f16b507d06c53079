// swift-tools-version:6.0
// lntrace: a Lightning Network message-trace analyzer.
//
// Targets follow the data flow, each importing only stages to its left:
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
        .target(
            name: "Transport",
            dependencies: [
                "Secp256k1",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // BOLT #1/#2/#7 message codec: fundamental types, TLV streams, every message type.
        .target(
            name: "Wire",
            exclude: ["Schema"]
        ),

        // `lntrace synth`: scenario files to real captures and key logs.
        .target(
            name: "Synth",
            dependencies: [
                "Capture", "Transport", "Wire", "Secp256k1", "Provenance", "Transactions", "Ledger",
                // Each log dialect's names and line markers, shared with its parser.
                "NodeLogs",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // Line-oriented text inputs: node logs (lnd, CLN, eclair, LDK) and hex dumps.
        .target(name: "NodeLogs", dependencies: ["Provenance", "Wire", "Secp256k1"]),

        // Message events with their sources; opening inputs and detecting their formats; the
        // wiring of a capture's TCP streams through the Transport decoder into message events.
        .target(name: "Trace", dependencies: ["Provenance", "Capture", "Transport", "Wire", "NodeLogs"]),

        // BOLT #3: keys, scripts, commitment and HTLC transactions, signature digests, trimming,
        // per-commitment secrets; a channel's two sides (`Side`, `PerSide`).
        .target(
            name: "Transactions",
            dependencies: ["Secp256k1", .product(name: "Crypto", package: "swift-crypto")]
        ),

        // The BOLT #2 commitment ledger: each side's updates, signings and revocations, what
        // each commitment includes, the states of an update's life. Shared by Rules and Synth.
        .target(name: "Ledger", dependencies: ["Transactions"]),

        // The rules engine: connection and channel models, the rule catalog, findings.
        .target(
            name: "Rules",
            dependencies: [
                "Provenance", "Wire", "Trace", "Secp256k1", "Transactions", "Ledger",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // Reorder hazards: dispatch profiles, and replays of a channel in another order.
        .target(name: "Hazards", dependencies: ["Provenance", "Wire", "Trace", "Rules"]),

        // Text, JSON and JSON Lines output.
        .target(name: "Report", dependencies: ["Provenance", "Capture", "Wire", "Trace", "Rules", "Hazards"]),

        // `lntrace check` as a library: inputs through the rules engines, the hazard analyzer
        // and the filters into a report, and the exit status.
        .target(name: "Session", dependencies: ["Provenance", "Trace", "Rules", "Hazards", "Report"]),

        // Every input surface as a function of arbitrary bytes, with its invariants: the body
        // of each libFuzzer target (`Fuzz/`) and of the hostile-input regression tests.
        .target(name: "FuzzHarness", dependencies: ["Provenance", "Wire", "Transport", "NodeLogs", "Trace", "Rules", "Hazards", "Report", "Session", "Synth"]),

        // The lntrace command line: argument parsing and wiring only.
        .executableTarget(
            name: "lntrace",
            dependencies: [
                "Trace", "Rules", "Hazards", "Report", "Session", "Transport", "Synth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Shared by the test targets: locating `Fixtures/`.
        .target(
            name: "TestSupport",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "WireTests", dependencies: ["Wire", "TestSupport"]),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "TestSupport"]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "Provenance"]),
        .testTarget(name: "NodeLogsTests", dependencies: ["NodeLogs", "Provenance", "Wire"]),
        .testTarget(name: "TraceTests", dependencies: ["Trace", "NodeLogs", "Provenance", "Wire", "TestSupport"]),
        .testTarget(name: "TransactionsTests", dependencies: ["Transactions", "Secp256k1", "TestSupport"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "Transactions"]),
        .testTarget(name: "SynthTests", dependencies: ["Synth", "Ledger", "Transactions", "Trace", "Transport", "Wire", "Provenance", "TestSupport"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "Hazards", "Report", "Session", "Trace", "Wire", "Provenance", "Synth", "TestSupport", "lntrace"]),
        // Every input a fuzzer or a user crashed lntrace with (`Fixtures/hostile/`), replayed.
        .testTarget(name: "HostileTests", dependencies: ["FuzzHarness", "Capture", "Provenance", "Trace", "TestSupport", "lntrace"]),
        // End-to-end: runs the built `lntrace` executable.
        .testTarget(name: "CLITests", dependencies: ["lntrace", "TestSupport"]),
    ]
)
