import FuzzHarness
import Glibc

/// The libFuzzer driver for every target of `FuzzHarness`: the environment variable
/// `LNTRACE_FUZZ_TARGET` names the one this process fuzzes (`Scripts/fuzz/run.sh` sets it).
nonisolated(unsafe) var target: (@Sendable ([UInt8]) -> Void)?

/// libFuzzer's entry point: one input of the chosen surface.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, let target else { return 0 }
    target(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// The program's entry point (SwiftPM links an executable's `main` to `<module>_main`):
/// the target from the environment, then libFuzzer's driver with the arguments it understands.
@_cdecl("fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let name = getenv("LNTRACE_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let chosen = Harness.targets[name] else {
        let text = "LNTRACE_FUZZ_TARGET must name a target: \(Harness.targets.keys.sorted().joined(separator: " "))\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
        return 2
    }
    target = chosen
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzz)
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
