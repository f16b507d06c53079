/// How a command writes its results.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// Readable text (the default).
    case text
    /// One JSON document.
    case json
    /// JSON Lines: one object per line with a `kind`, written as soon as it is known.
    case jsonl

    /// The reporter that writes `command`'s results in this format: the one place a format
    /// is chosen.
    public func reporter(_ command: ReportCommand, options: ReportOptions, out: Output = .standardOutput) -> any Reporter {
        switch self {
        case .text: TextReporter(command, options: options, out: out)
        case .json: JSONDocumentReporter(command, options: options, out: out)
        case .jsonl: JSONLinesReporter(command, options: options, out: out)
        }
    }
}
