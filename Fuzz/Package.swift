// swift-tools-version:6.0
// libFuzzer targets for lntrace, one per input surface. Build and run with
// `Scripts/fuzz/run.sh TARGET SECONDS`; each target is a thin wrapper around
// `FuzzHarness` (Sources/FuzzHarness in the main package), built with
// `-sanitize=fuzzer,address -parse-as-library`.
import PackageDescription

let targets = ["input", "logs", "wire", "transport", "keylog", "scenario", "profile", "rules"]

let package = Package(
    name: "lntrace-fuzz",
    dependencies: [.package(name: "lntrace", path: "..")],
    targets: targets.map { name in
        .executableTarget(
            name: "fuzz-\(name)",
            dependencies: [.product(name: "FuzzHarness", package: "lntrace")],
            path: "Sources/\(name)"
        )
    }
)
