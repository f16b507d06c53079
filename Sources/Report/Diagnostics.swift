import Basics
import Provenance

extension Diagnostic: JSONRecord {
    public static var kind: String { "diagnostic" }

    /// Severity, code, message and where in the input.
    public func writeMembers(into json: inout JSONWriter) {
        json.field("severity", severity.rawValue)
        json.field("code", code)
        json.field("message", message)
        json.fields(of: location)
    }
}

/// Input diagnostics on standard error, whatever the report's format: every one, or the
/// first of each code and then one line saying how many more (a capture of 20,000 gaps
/// must not print 20,000 lines).
struct DiagnosticEcho {
    let err: Output
    /// How many of one code are printed (`nil`: every one).
    let perCode: Int?
    private var shown: [String: Int] = [:]

    init(err: Output, perCode: Int?) {
        self.err = err
        self.perCode = perCode
    }

    mutating func show(_ diagnostic: Diagnostic) {
        guard let perCode else {
            err.line("lntrace: \(diagnostic)")
            return
        }
        let count = shown[diagnostic.code, default: 0]
        shown[diagnostic.code] = count + 1
        if count < perCode { err.line("lntrace: \(diagnostic)") }
    }

    /// "lntrace: 19,900 more [tcp.gap] diagnostics not shown" for each code over the limit.
    mutating func finish() {
        guard let perCode else { return }
        for (code, count) in shown.sorted(by: { $0.key < $1.key }) where count > perCode {
            err.line("lntrace: \(TextFit.grouping(count - perCode)) more [\(code)] diagnostics not shown (--format jsonl lists every one)")
        }
        shown = [:]
    }
}
