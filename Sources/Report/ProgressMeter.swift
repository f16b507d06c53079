#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A one-line progress meter on standard error for long inputs: bytes read of the total,
/// messages, rate. Redrawn at most four times a second, erased when the input ends.
/// Only for a terminal: never in a pipe (see ``enabled(err:)``), and only beside a report
/// that allows it (``Reporter/allowsProgress``).
public final class ProgressMeter {
    let output: Output
    let path: String
    private var messages = 0
    private var lastDraw: Double = 0
    private var start: Double
    private var drawn = false

    public init(output: Output = .standardError, path: String) {
        self.output = output
        self.path = TerminalText.visible(path)
        start = Self.now()
        lastDraw = start
    }

    /// Whether progress can be shown: standard error is a terminal.
    public static func enabled(err: Output = .standardError) -> Bool {
        err.isTerminal
    }

    public func message() { messages += 1 }

    /// Bytes read so far, of `total` when known.
    public func update(read: Int64, total: Int64?) {
        let now = Self.now()
        guard now - lastDraw >= 0.25 else { return }
        lastDraw = now
        let rate = Double(read) / max(now - start, 0.001)
        var text = "\r\u{1B}[K\(path): \(Self.size(Double(read)))"
        if let total, total > 0 { text += " of \(Self.size(Double(total))) (\(Int(Double(read) * 100 / Double(total)))%)" }
        text += ", \(messages) messages, \(Self.size(rate))/s"
        output.write(text)
        output.flush()
        drawn = true
    }

    /// Erases the meter (before the report is written).
    public func clear() {
        guard drawn else { return }
        output.write("\r\u{1B}[K")
        output.flush()
        drawn = false
    }

    static func size(_ bytes: Double) -> String {
        switch bytes {
        case ..<1e3: return "\(Int(bytes)) B"
        case ..<1e6: return String(format1: bytes / 1e3) + " kB"
        case ..<1e9: return String(format1: bytes / 1e6) + " MB"
        default: return String(format1: bytes / 1e9) + " GB"
        }
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

extension String {
    /// One decimal, without Foundation.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(tenths % 10)"
    }
}
