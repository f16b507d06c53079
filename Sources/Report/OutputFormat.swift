/// How a command writes its results.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// Readable text (the default).
    case text
    /// One JSON document.
    case json
    /// JSON Lines: one object per line with a `kind`, written as soon as it is known.
    case jsonl
}
