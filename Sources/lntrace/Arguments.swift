import ArgumentParser
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
        "The input format (\(InputFormat.allCases.map(\.rawValue).joined(separator: "|"))); detected from each input's first bytes when omitted.",
        valueName: "format"))
    var inputFormat: InputFormat?
}

/// Options shared by every command that writes a report.
struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Output format: text (readable), json (one document) or jsonl (one object per line, streamed).",
        valueName: "format"))
    var format: OutputFormat = .text
}
