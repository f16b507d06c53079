import ArgumentParser
import Provenance
import Report
import Trace

extension InputFormat: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}

/// Options shared by every command that reads traces.
struct InputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp(
        "Inputs: packet captures, node logs or hex dumps. '-' reads standard input.",
        valueName: "input"))
    var inputs: [String] = ["-"]

    @Option(name: .customLong("input-format"), help: ArgumentHelp(
        "The input format (\(InputFormat.allCases.map(\.rawValue).joined(separator: "|"))); when omitted, a capture is recognised by its first bytes and a log's format line by line, inside journald, docker, Kubernetes, CI and other wrappers.",
        valueName: "format"))
    var inputFormat: InputFormat?

    @Option(name: .customLong("keylog"), help: ArgumentHelp(
        "A BOLT #8 key log (repeatable): lines of '<32-hex length-MAC> <64-hex key>' (lightning-dissector, eclair, ptarmigan) or '<66-hex act-one ephemeral key> <64-hex final chaining key>'.",
        valueName: "file"))
    var keyLogs: [String] = []

    @Option(name: .customLong("key"), help: ArgumentHelp(
        "One key-log line given directly (repeatable).", valueName: "line"))
    var keys: [String] = []

    @Option(name: .customLong("port"), help: ArgumentHelp(
        "Only follow TCP connections on this port (repeatable); without it every port is searched for Lightning handshakes.",
        valueName: "port"))
    var ports: [UInt16] = []

    /// The capture options, and the key-log lines that could not be read.
    @Option(help: ArgumentHelp(
        "The zone of log times that state none (lnd, eclair, journald's short format): Europe/Zurich, CET, +01:00; default UTC. A zone a line states wins.",
        valueName: "zone"))
    var tz: String?

    func validate() throws {
        if let tz, LocalZone(tz) == nil { throw ValidationError("--tz: no time zone '\(tz)' (a name such as Europe/Zurich, or an offset such as +01:00)") }
    }

    /// The `--tz` zone.
    var zone: LocalZone? { tz.flatMap { LocalZone($0) } }

    @Flag(name: .customLong("require-keys"), help: "A capture connection without a key is an error even when others decrypt (by default it is then a warning).")
    var requireKeys = false

    func captureOptions() -> (CaptureOptions, [Diagnostic]) {
        let (keyLog, diagnostics) = KeyLogLoader.load(files: keyLogs, lines: keys)
        var options = CaptureOptions(keyLog: keyLog, ports: Set(ports))
        options.requireKeys = requireKeys
        return (options, diagnostics)
    }
}

/// Options shared by every command that writes a report.
struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Output format: text (readable), json (one document) or jsonl (one object per line, streamed).",
        valueName: "format"))
    var format: OutputFormat = .text
}
