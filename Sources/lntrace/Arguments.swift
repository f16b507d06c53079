import ArgumentParser
import Basics
import Foundation
import Provenance
import Report
import Rules
import Session
import Trace
import Wire

extension InputFormat: ExpressibleByArgument {}
extension TimeMode: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}

/// Options shared by every command that reads traces.
struct InputOptions: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "Inputs: packet captures, node logs or hex dumps. '-' reads standard input.",
            valueName: "input"))
    var inputs: [String] = ["-"]

    @Option(
        name: .customLong("input-format"),
        help: ArgumentHelp(
            "The input format (\(InputFormat.allCases.map(\.rawValue).joined(separator: "|"))); when omitted, a capture is recognised by its first bytes and a log's format line by line, inside journald, docker, Kubernetes, CI and other wrappers.",
            valueName: "format"))
    var inputFormat: InputFormat?

    @Option(
        name: .customLong("keylog"),
        help: ArgumentHelp(
            "A BOLT #8 key log (repeatable): lines of '<32-hex length-MAC> <64-hex key>' (lightning-dissector, eclair, ptarmigan) or '<66-hex act-one ephemeral key> <64-hex final chaining key>'.",
            valueName: "file"))
    var keyLogs: [String] = []

    @Option(
        name: .customLong("key"),
        help: ArgumentHelp(
            "One key-log line given directly (repeatable).", valueName: "line"))
    var keys: [String] = []

    @Option(
        name: .customLong("port"),
        help: ArgumentHelp(
            "Only follow TCP connections on this port (repeatable); without it every port is searched for Lightning handshakes.",
            valueName: "port"))
    var ports: [UInt16] = []

    /// The capture options, and the key-log lines that could not be read.
    @Option(
        help: ArgumentHelp(
            "The zone of log times that state none (lnd, eclair, journald's short format): Europe/Zurich, CET, +01:00; default UTC. A zone a line states wins.",
            valueName: "zone"))
    var tz: String?

    func validate() throws {
        var check = Aliases()
        for text in aliasOptions where !check.add(text) {
            throw ValidationError("--alias: '\(text)' is not KEY=NAME (for example 10.0.0.1=alice)")
        }
        if let tz, LocalZone(tz) == nil {
            throw ValidationError("--tz: no time zone '\(tz)' (a name such as Europe/Zurich, or an offset such as +01:00)")
        }
    }

    /// The `--tz` zone.
    var zone: LocalZone? { tz.flatMap { LocalZone($0) } }

    /// The options `lntrace diagram` needs to read the inputs as this command did: the key
    /// log files (a `--key` line is key material, never printed: `--key …` stands for it),
    /// the format, ports and zone.
    var diagramArguments: [String] {
        var out = keyLogs.flatMap { ["--keylog", $0] }
        if !keys.isEmpty { out += ["--key", "…"] }
        if let inputFormat { out += ["--input-format", inputFormat.rawValue] }
        out += ports.flatMap { ["--port", String($0)] }
        if let tz { out += ["--tz", tz] }
        if noJoin { out.append("--no-join") }
        return out
    }

    @Flag(
        name: .customLong("no-join"),
        help:
            "Read the logs of a connection's two ends as separate traces (by default check, dump, stats and diagram join them: Documentation/joining.md); each log file is then read once, not twice."
    )
    var noJoin = false

    @Flag(
        name: .customLong("require-keys"),
        help: "A capture connection without a key is an error even when others decrypt (by default it is then a warning).")
    var requireKeys = false

    @Option(
        name: .customLong("alias"),
        help: ArgumentHelp(
            "Name a node in reports (repeatable): an address (10.0.0.1=alice), an endpoint (127.0.0.1:9735=bob) or a log's peer node id or its first 8+ hex digits (03864ef0=carol).",
            valueName: "key=name"))
    var aliasOptions: [String] = []

    /// The `--alias` names.
    var aliases: Aliases {
        var aliases = Aliases()
        for text in aliasOptions { _ = aliases.add(text) }
        return aliases
    }

    func captureOptions() -> (CaptureOptions, [Diagnostic]) {
        let (keyLog, diagnostics) = KeyLogLoader.load(files: keyLogs, lines: keys)
        var options = CaptureOptions(keyLog: keyLog, ports: Set(ports))
        options.requireKeys = requireKeys
        options.aliases = aliases
        return (options, diagnostics)
    }

    /// The logs of a connection's two ends among the inputs (`nil`: none, or `--no-join`),
    /// found as `dump` and `stats` read them.
    func joinedInputs(captureOptions: CaptureOptions) -> JoinedInputs? {
        if noJoin { return nil }
        return JoinedInputs(inputs: inputs.map(CheckInput.path), format: inputFormat, captureOptions: captureOptions, zone: zone, aliases: aliases)
    }

    /// A reader of one input with these options.
    func reader(_ path: String, captureOptions: CaptureOptions) -> InputReader {
        var reader = InputReader(path: path, format: inputFormat, captureOptions: captureOptions, zone: zone)
        reader.aliases = aliases
        return reader
    }
}

/// `-j, --jobs N`: how many cores a command uses.
struct JobsOptions: ParsableArguments {
    @Option(
        // `-j 2`, `-j2` (as make takes it) and `--jobs 2`.
        name: [.customShort("j", allowingJoined: true), .long],
        help: ArgumentHelp(
            "Cores to use (default: all). With more than one, the work that needs no order (reading and decrypting; check: verifying signatures; dump: formatting its lines) runs on the others while the input is read in order; the output is the same.",
            valueName: "n"))
    var jobs: Int?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs takes a number of cores, 1 or more") }
    }

    /// The number asked for, or every core.
    var count: Int { jobs ?? ProcessInfo.processInfo.activeProcessorCount }
}

/// Options shared by every command that writes a report.
struct OutputOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Output format: text (readable), json (one document) or jsonl (one object per line, streamed).",
            valueName: "format"))
    var format: OutputFormat = .text
}

/// Which messages `dump`, `check` and `stats` show.
struct FilterOptions: ParsableArguments {
    @Option(
        name: .customLong("type"), help: ArgumentHelp("Only messages of these types (spec names, comma-separated, repeatable).", valueName: "types"))
    var types: [String] = []

    @Option(
        help: ArgumentHelp("Only messages of this channel: a channel_id or temporary_channel_id prefix, or a log's channel label.", valueName: "id"))
    var channel: String?

    @Option(help: ArgumentHelp("Only messages with this peer: a node id prefix, an alias or an address.", valueName: "node"))
    var peer: String?

    @Option(help: ArgumentHelp("Only messages of this connection (its number in the report).", valueName: "n"))
    var connection: Int?

    @Option(help: ArgumentHelp("Only messages at or after this time (2024-01-18T09:30:00Z; UTC without a zone).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only messages at or before this time.", valueName: "time"))
    var until: String?

    @Option(
        name: [.customShort("c"), .customLong("count")],
        help: ArgumentHelp("Stop after this many messages (those the filters select).", valueName: "n"))
    var count: Int?

    func validate() throws {
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, MessageFilter.time(value) == nil {
                throw ValidationError("\(name): not a time: '\(value)' (for example 2024-01-18T09:30:00Z)")
            }
        }
        if let count, count < 1 { throw ValidationError("-c takes a number of messages, 1 or more") }
        for type in types.flatMap({ $0.split(separator: ",") })
        where Message.knownTypes.values.first(where: { $0.name == type }) == nil && type != "unknown" {
            throw ValidationError("--type: no message type '\(type)' (spec names: update_add_htlc, commitment_signed, …)")
        }
    }

    var filter: MessageFilter {
        var filter = MessageFilter()
        filter.types = Set(types.flatMap { $0.split(separator: ",").map(String.init) })
        filter.channel = channel
        filter.peer = peer
        filter.connection = connection
        filter.since = since.flatMap(MessageFilter.time)
        filter.until = until.flatMap(MessageFilter.time)
        return filter
    }
}

extension FilterOptions {
    /// A fresh selection for one command run.
    var selection: Selection { Selection(filter: filter, limit: count) }
}
