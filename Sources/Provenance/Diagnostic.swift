/// A problem with the input itself (not a protocol finding): an unreadable frame, a
/// garbage log line, a wrong key. The input is still analysed around it.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable, Comparable {
        case note, warning, error

        private var rank: Int {
            switch self {
            case .note: 0
            case .warning: 1
            case .error: 2
            }
        }

        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    public var severity: Severity
    public var location: SourceLocation
    /// A stable code for tools, for example `hex.malformed` or `tcp.gap`.
    public var code: String
    public var message: String

    public init(_ severity: Severity, _ code: String, at location: SourceLocation, _ message: String) {
        self.severity = severity
        self.code = code
        self.location = location
        self.message = message
    }

    /// `file:line: error: message [code]`, as compilers print.
    public var description: String {
        "\(location): \(severity.rawValue): \(message) [\(code)]"
    }

    /// Whether the input could not be read completely because of this problem.
    public var makesResultIncomplete: Bool { severity == .error }
}
