// swift-tools-version:6.0
// The libFuzzer driver for lntrace: one executable, `fuzz`, for every input surface of
// `FuzzHarness` (Sources/FuzzHarness in the main package); `LNTRACE_FUZZ_TARGET` picks the
// surface. Build and run with `Scripts/fuzz/run.sh TARGET SECONDS`, which builds it with
// `-sanitize=fuzzer,address -parse-as-library`.
import PackageDescription

let package = Package(
    name: "lntrace-fuzz",
    dependencies: [.package(name: "lntrace", path: "..")],
    targets: [
        .executableTarget(name: "fuzz", dependencies: [.product(name: "FuzzHarness", package: "lntrace")], path: "Sources/fuzz")
    ]
)
