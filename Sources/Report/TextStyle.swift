import Rules

/// How a report looks at a terminal.
public struct TextStyle: Sendable {
    public var color: Bool
    /// Only findings: no headers, coverage or summary.
    public var quiet: Bool
    /// Also the reasons rules were not evaluated, per channel.
    public var verbose: Bool
    /// Findings grouped per input, connection and channel at the end of each input; otherwise
    /// each is printed as it is found (a live stream).
    public var grouped: Bool
    /// The columns lines are fitted to: the terminal's, or 100 in a pipe (``defaultWidth``).
    public var width: Int
    /// How context lines show times (`--time`).
    public var time: TimeMode = .absolute

    /// 100 columns: what a report piped to a file or a CI log is fitted to.
    public static let defaultWidth = 100

    public init(color: Bool = false, quiet: Bool = false, verbose: Bool = false, grouped: Bool = true, width: Int = TextStyle.defaultWidth) {
        self.color = color
        self.quiet = quiet
        self.verbose = verbose
        self.grouped = grouped
        self.width = max(40, width)
    }

    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func bold(_ text: String) -> String { paint(text, "1") }
    func dim(_ text: String) -> String { paint(text, "2") }
    func severity(_ finding: Finding) -> String {
        let word = finding.certainty == .possible ? "\(finding.severity.rawValue) (possible)" : finding.severity.rawValue
        return paint(word, finding.severity == .error ? "1;31" : "1;33")
    }
}
