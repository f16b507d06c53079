import Basics
import Hazards
import Provenance
import Rules
import Trace
import Wire

/// The formats linters and CI systems read.
public enum LintFormat: String, CaseIterable, Sendable {
    /// SARIF 2.1.0: one run, one result per finding and hazard, with every selected rule's
    /// metadata (GitHub code scanning, IDEs).
    case sarif
    /// GitHub Actions workflow commands: `::error file=…,line=…,title=…::…`.
    case github
    /// One line per finding, as compilers print: `file:line: error: rule: reason`.
    case short
}

/// Writes `check` results for tools: SARIF, GitHub workflow commands, or one line each.
/// Findings and hazards go to standard output as they are found; input diagnostics go to
/// standard error (and, in SARIF, into the run's notifications).
public final class LintWriter: CheckReport {
    public let format: LintFormat
    public let toolVersion: String
    let out: Output
    let err: Output
    /// The SARIF document, framed from its first byte to its last and drained to the output
    /// after each result.
    private var json = JSONWriter()
    private var notifications: [Diagnostic] = []
    public private(set) var errorCount = 0
    private var readFailures = 0

    public init(format: LintFormat, rules: [Rule], toolVersion: String, out: Output = .standardOutput, err: Output = .standardError) {
        self.format = format
        self.toolVersion = toolVersion
        self.out = out
        self.err = err
        if format == .sarif { writeHead(rules) }
    }

    public func beginInput() {}

    /// Where each root finding was, to name it in its follow-ons.
    private var roots: [Int: String] = [:]
    static let keptRoots = 100_000
    public func write(_ event: TraceEvent) {
        if case let .diagnostic(diagnostic) = event { write(diagnostic) }
    }

    public func write(_ finding: Finding) {
        let where_ = finding.message.location
        // Finding numbers matter to the reader only to find a follow-on's root.
        let follows = finding.follows.map { " (follows \(roots[$0] ?? "finding #\($0)"))" } ?? ""
        if finding.isRoot, roots.count < Self.keptRoots { roots[finding.id] = "\(finding.rule.id) at \(where_)" }
        switch format {
        case .short:
            let certainty = finding.certainty == .possible ? " (possible)" : ""
            out.line("\(where_): \(finding.severity.rawValue)\(certainty): \(finding.rule.id): \(finding.reason)\(follows)")
        case .github:
            out.line(
                Self.command(
                    finding.severity == .error ? "error" : "warning", location: where_, title: finding.rule.id,
                    message: finding.reason + (finding.certainty == .possible ? " (possible: the messages may have crossed)" : "")
                        + follows))
        case .sarif:
            result(
                ruleID: finding.rule.id, level: finding.severity == .error ? "error" : "warning", text: finding.reason,
                location: where_,
                properties: { json in
                    json.field("id", finding.id)
                    if let follows = finding.follows { json.field("follows", follows) }
                    json.field("certainty", finding.certainty.rawValue)
                    json.field("section", finding.rule.section)
                    if let channel = finding.channel { json.field("channel", channel) }
                    if let connection = finding.message.connection { json.field("connection", connection) }
                    json.field("message_type", finding.message.content.name)
                })
        }
    }

    public func write(_ hazard: Hazard) {
        let text =
            "\(hazard.second.content.name) could be processed before \(hazard.first.content.name) "
            + "(\(hazard.secondQueue) and \(hazard.firstQueue) queues, \(hazard.profile) dispatch)"
            + (hazard.known.map { ": \($0.consequence)" } ?? "")
        switch format {
        case .short: out.line("\(hazard.second.location): warning: hazard \(hazard.kind): \(text)")
        case .github: out.line(Self.command("warning", location: hazard.second.location, title: "hazard \(hazard.kind)", message: text))
        case .sarif:
            result(
                ruleID: "hazard/\(hazard.kind)", level: "warning", text: text, location: hazard.second.location,
                properties: { json in
                    json.field("profile", hazard.profile)
                    if let channel = hazard.channel { json.field("channel", channel) }
                    json.field("first", hazard.first.location.description)
                })
        }
    }

    public func write(_ observation: Observation) {
        let text =
            "\(observation.note.kind): \(observation.note.text) (after hazard \(observation.hazard.kind) at \(observation.hazard.second.location))"
        switch format {
        case .short: out.line("\(observation.note.location): \(observation.confirmed ? "error" : "note"): observed: \(text)")
        case .github:
            out.line(
                Self.command(
                    observation.confirmed ? "error" : "notice", location: observation.note.location,
                    title: "hazard \(observation.hazard.kind) observed", message: text))
        case .sarif:
            result(
                ruleID: "hazard/\(observation.hazard.kind)", level: observation.confirmed ? "error" : "note", text: "observed: " + text,
                location: observation.note.location, properties: { _ in })
        }
    }

    public func write(_ diagnostic: Diagnostic) {
        if diagnostic.severity == .error { errorCount += 1 }
        err.line("lntrace: \(diagnostic)")
        switch format {
        case .github:
            let level = diagnostic.severity == .error ? "error" : diagnostic.severity == .warning ? "warning" : "notice"
            out.line(Self.command(level, location: diagnostic.location, title: diagnostic.code, message: diagnostic.message))
        case .sarif:
            if notifications.count < CheckWriter.keptDiagnostics { notifications.append(diagnostic) }
        case .short:
            break
        }
    }

    public func inputFailed(_ diagnostic: Diagnostic) {
        readFailures += 1
        write(diagnostic)
    }

    public func endInput(_ path: String, _ summary: CheckSummary) { flush() }

    public func flush() {
        err.flush()
        out.flush()
    }

    public func finish(rules: Int) {
        if format == .sarif {
            json.endArray()
            json.key("invocations")
            json.beginArray()
            json.beginObject()
            json.field("executionSuccessful", errorCount == 0 && readFailures == 0)
            json.key("toolExecutionNotifications")
            json.beginArray()
            for diagnostic in notifications {
                json.beginObject()
                json.field("level", diagnostic.severity == .error ? "error" : diagnostic.severity == .warning ? "warning" : "note")
                json.key("message")
                json.beginObject()
                json.field("text", diagnostic.message)
                json.endObject()
                json.key("descriptor")
                json.beginObject()
                json.field("id", diagnostic.code)
                json.endObject()
                json.key("locations")
                json.beginArray()
                Self.writeLocation(diagnostic.location, to: &json)
                json.endArray()
                json.endObject()
            }
            json.endArray()
            json.endObject()
            json.endArray()
            json.endObject()  // the run
            json.endArray()  // runs
            json.endObject()
            drain()
            out.write("\n")
        }
        flush()
    }

    // MARK: SARIF

    /// The document up to its one run's `results`, which follow as they are found.
    private func writeHead(_ rules: [Rule]) {
        json.beginObject()
        json.field("version", "2.1.0")
        json.field("$schema", "https://json.schemastore.org/sarif-2.1.0.json")
        json.key("runs")
        json.beginArray()
        json.beginObject()
        json.key("tool")
        json.beginObject()
        json.key("driver")
        json.beginObject()
        json.field("name", "lntrace")
        json.field("version", toolVersion)
        json.field("informationUri", "https://github.com/lightning/bolts")
        json.key("rules")
        json.beginArray()
        for rule in rules {
            json.beginObject()
            json.field("id", rule.info.id)
            json.field("name", rule.info.title)
            json.key("shortDescription")
            json.beginObject()
            json.field("text", rule.info.title)
            json.endObject()
            json.key("fullDescription")
            json.beginObject()
            json.field("text", rule.info.spec)
            json.endObject()
            json.key("help")
            json.beginObject()
            json.field("text", rule.info.explanation + " Example: " + rule.info.example + " (lntrace explain " + rule.info.id + ")")
            json.endObject()
            json.key("defaultConfiguration")
            json.beginObject()
            json.field("level", rule.info.severity == .error ? "error" : "warning")
            json.endObject()
            json.key("properties")
            json.beginObject()
            json.field("section", rule.info.section)
            json.endObject()
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.endObject()
        json.key("results")
        json.beginArray()
        drain()
    }

    private func drain() {
        json.drain { out.write(bytes: $0) }
    }

    private func result(ruleID: String, level: String, text: String, location: SourceLocation, properties: (inout JSONWriter) -> Void) {
        json.beginObject()
        json.field("ruleId", ruleID)
        json.field("level", level)
        json.key("message")
        json.beginObject()
        json.field("text", text)
        json.endObject()
        json.key("locations")
        json.beginArray()
        Self.writeLocation(location, to: &json)
        json.endArray()
        json.key("properties")
        json.beginObject()
        if !location.frames.isEmpty {
            json.key("frames")
            json.beginArray()
            for frame in location.frames { json.number(frame) }
            json.endArray()
        }
        properties(&json)
        json.endObject()
        json.endObject()
        drain()
    }

    /// A physical location: the file, and the line of a text input (a capture's frames are
    /// in the result's properties; SARIF has no frame numbers).
    static func writeLocation(_ location: SourceLocation, to json: inout JSONWriter) {
        json.beginObject()
        json.key("physicalLocation")
        json.beginObject()
        json.key("artifactLocation")
        json.beginObject()
        json.field("uri", location.file)
        json.endObject()
        if let line = location.line {
            json.key("region")
            json.beginObject()
            json.field("startLine", line)
            json.endObject()
        }
        json.endObject()
        json.endObject()
    }

    // MARK: GitHub

    /// `::error file=F,line=L,title=T::message`, escaped as the runner expects.
    static func command(_ level: String, location: SourceLocation, title: String, message: String) -> String {
        var properties = ["file=" + escapeProperty(location.file)]
        if let line = location.line {
            properties.append("line=\(line)")
        }
        properties.append("title=" + escapeProperty(title))
        let frames =
            location.frames.isEmpty
            ? "" : " (frame\(location.frames.count == 1 ? "" : "s") \(location.frames.map(String.init).joined(separator: ",")))"
        return "::\(level) \(properties.joined(separator: ","))::\(escapeData(message + frames))"
    }

    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
