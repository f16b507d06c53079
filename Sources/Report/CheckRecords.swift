import Basics
import Hazards
import Provenance
import Rules
import Trace

// The records of `lntrace check`, as its JSON document and JSON Lines write them
// (`Documentation/schema/check.schema.json`).

extension Finding: JSONRecord {
    public static var kind: String { "finding" }

    /// The rule, the offending message with its decoded fields (as `dump` writes them), the
    /// comparison and evidence, and the messages before it and those it refers to.
    public func writeMembers(into json: inout JSONWriter) {
        json.field("id", id)
        if let follows { json.field("follows", follows) }
        json.field("rule", rule.id)
        json.field("severity", severity.rawValue)
        json.field("certainty", certainty.rawValue)
        json.field("title", rule.title)
        json.field("section", rule.section)
        json.field("reason", reason)
        if let channel { json.field("channel", channel) }
        if let temporaryChannel { json.field("temporary_channel_id", temporaryChannel) }
        json.place(of: message)
        json.key("fields")
        MessageFormat.writeFields(message.content.fields, to: &json)
        json.key("tlvs")
        MessageFormat.writeFields(message.content.tlvFields, to: &json)
        if let comparison {
            json.field("compared", comparison.field)
            json.field("actual", comparison.actual)
            if let expected = comparison.expected { json.field("expected", expected) }
            if let minimum = comparison.minimum { json.field("expected_min", minimum) }
            if let maximum = comparison.maximum { json.field("expected_max", maximum) }
        }
        if let evidence {
            json.key("evidence")
            json.beginObject()
            for (name, value) in evidence.items {
                json.key(name)
                switch value {
                case let .hex(bytes): json.hex(bytes)
                case let .number(n): json.number(n)
                case let .text(text): json.string(text)
                case let .list(items):
                    json.beginArray()
                    for item in items { json.string(item) }
                    json.endArray()
                }
            }
            json.endObject()
        }
        json.places("context", context)
        if !referenced.isEmpty { json.places("referenced", referenced) }
    }
}

extension OtherEnd {
    /// `"sent_at"` or `"received_at"`: the other end's line and time.
    func write(into json: inout JSONWriter) {
        json.key(sent ? "sent_at" : "received_at")
        json.beginObject()
        json.fields(of: location)
        if let time { json.field("time", time.description) }
        json.endObject()
    }
}

/// A reorder hazard, with the log lines that were observed to follow from it.
public struct HazardRecord: JSONRecord {
    public var hazard: Hazard
    public var observed: [Observation]

    public init(_ hazard: Hazard, observed: [Observation] = []) {
        self.hazard = hazard
        self.observed = observed
    }

    public static var kind: String { "hazard" }

    /// What identifies a hazard to the observations that follow it.
    static func key(_ hazard: Hazard) -> String {
        "\(hazard.kind)|\(hazard.first.location)#\(hazard.first.index ?? -1)|\(hazard.second.location)#\(hazard.second.index ?? -1)"
    }

    public func writeMembers(into json: inout JSONWriter) {
        json.field("hazard", hazard.kind)
        json.field("profile", hazard.profile)
        if let node = hazard.node { json.field("node", node) }
        if let channel = hazard.channel { json.field("channel", channel) }
        json.key("first")
        json.beginObject()
        json.place(of: hazard.first)
        json.field("queue", hazard.firstQueue)
        json.endObject()
        json.key("second")
        json.beginObject()
        json.place(of: hazard.second)
        json.field("queue", hazard.secondQueue)
        json.endObject()
        json.field("distance", hazard.distance)
        json.field("distance_unit", hazard.distanceUnit)
        if let seconds = hazard.seconds {
            json.key("seconds")
            json.number(seconds)
        }
        json.key("outcome")
        json.beginArray()
        for finding in hazard.outcome {
            json.beginObject()
            json.field("rule", finding.rule.id)
            json.field("reason", finding.reason)
            json.place(of: finding.message)
            json.endObject()
        }
        json.endArray()
        if !observed.isEmpty {
            json.key("observed")
            json.beginArray()
            for observation in observed { observation.writeJSON(into: &json) }
            json.endArray()
        }
        if let known = hazard.known {
            json.field("consequence", known.consequence)
            json.field("issues", known.issues)
        }
    }
}

extension Observation: JSONRecord {
    public static var kind: String { "observation" }

    /// The hazard it follows (its kind and later message), and the log line.
    public func writeMembers(into json: inout JSONWriter) {
        json.field("hazard", hazard.kind)
        json.key("second")
        json.beginObject()
        json.place(of: hazard.second)
        json.endObject()
        json.field("confirmed", confirmed)
        json.field("note_kind", note.kind)
        json.field("text", note.text)
        json.field("file", note.location.file)
        if let line = note.location.line { json.field("line", line) }
        if let time = note.time { json.field("time", time.description) }
    }
}

/// One input of `check` at its end: what was checked on it (channels and connections with
/// their rule coverage), and what the input was found to hold.
public struct InputReport: JSONRecord {
    public var path: String
    public var summary: CheckSummary
    /// The first capture connections (``CheckWriter/keptConnections``), and how many more.
    public var connections: [ConnectionSummary]
    public var connectionsOmitted: Int
    /// Connections held only in part (a gap, no key), counted over all of them.
    public var problemConnections: Int
    public var logs: [LogSummary]
    /// Why the input could not be read completely.
    public var failure: Diagnostic?
    /// Findings reported on this input (after filters and the baseline).
    public var findings: Int

    public init(
        path: String, summary: CheckSummary, connections: [ConnectionSummary] = [], connectionsOmitted: Int = 0,
        problemConnections: Int = 0, logs: [LogSummary] = [], failure: Diagnostic? = nil, findings: Int = 0
    ) {
        self.path = path
        self.summary = summary
        self.connections = connections
        self.connectionsOmitted = connectionsOmitted
        self.problemConnections = problemConnections
        self.logs = logs
        self.failure = failure
        self.findings = findings
    }

    /// Connections the input holds: a capture's, or a log's peers.
    var connectionTotal: Int { connections.count + connectionsOmitted }

    public static var kind: String { "input" }

    public func writeMembers(into json: inout JSONWriter) {
        json.field("file", path)
        json.field("messages", summary.messages)
        json.field("findings", summary.findings)
        json.field("rules", summary.rules)
        json.key("connections")
        json.beginArray()
        for connection in connections.sorted(by: { $0.id < $1.id }) { connection.writeJSON(into: &json) }
        json.endArray()
        if connectionsOmitted > 0 { json.field("connections_omitted", connectionsOmitted) }
        json.key("logs")
        json.beginArray()
        for log in logs { log.writeJSON(into: &json) }
        json.endArray()
        json.key("channels")
        json.beginArray()
        for channel in summary.channels { Self.write(channel, to: &json) }
        json.endArray()
        if let omitted = summary.omittedChannels {
            json.field("channels_omitted", omitted.channels)
            json.key("omitted_channels")
            json.beginObject()
            json.field("messages", omitted.messages)
            Self.write(omitted.coverage, to: &json)
            json.endObject()
        }
        // Rules judged on messages without a channel (init, ping, pong, …), per connection.
        json.key("connection_rules")
        json.beginArray()
        for (connection, coverage) in summary.connections {
            json.beginObject()
            if connection >= 0 { json.field("connection", connection) }
            Self.write(coverage, to: &json)
            json.endObject()
        }
        json.endArray()
    }

    static func write(_ channel: CheckSummary.Channel, to json: inout JSONWriter) {
        json.beginObject()
        json.field("channel", channel.key)
        if let label = channel.label { json.field("label", label) }
        json.field("parties", channel.parties)
        json.field("origin", String(describing: channel.origin))
        json.field("messages", channel.messages)
        write(channel.coverage, to: &json)
        json.endObject()
    }

    static func write(_ coverage: Coverage, to json: inout JSONWriter) {
        json.field("rules_evaluated", coverage.evaluatedRules)
        json.key("rules_not_evaluated")
        json.beginArray()
        for (rule, reason) in coverage.notEvaluatedRules {
            json.beginObject()
            json.field("rule", rule)
            json.field("reason", reason)
            json.endObject()
        }
        json.endArray()
        json.key("rules_partly_evaluated")
        json.beginArray()
        for (rule, evaluated, notEvaluated, reason) in coverage.partlyEvaluatedRules {
            json.beginObject()
            json.field("rule", rule)
            json.field("evaluated", evaluated)
            json.field("not_evaluated", notEvaluated)
            json.field("reason", reason)
            json.endObject()
        }
        json.endArray()
    }
}

/// What `check` counted over every input: the closing summary.
public struct CheckTotals: JSONRecord, Sendable {
    public var inputs = 0
    public var connections = 0
    public var channels = 0
    public var messages = 0
    /// Rules selected, evaluated somewhere, and never evaluated anywhere.
    public var rules = 0
    public var rulesEvaluated = 0
    public var rulesNotEvaluated = 0
    /// Rules evaluated, but not on every message they apply to (some lacked the evidence).
    public var rulesPartlyEvaluated = 0
    public var findings = 0
    /// Findings that follow from an earlier one (``Finding/follows``).
    public var followOns = 0
    public var errors = 0
    public var warnings = 0
    public var possible = 0
    public var hazards = 0
    public var diagnostics = 0
    public var diagnosticErrors = 0
    /// Every finding per rule: how many, how many follow-ons, and the severity.
    public var perRule: [String: (count: Int, followOns: Int, severity: Severity)] = [:]

    public init() {}

    public static var kind: String { "summary" }

    public func writeMembers(into json: inout JSONWriter) {
        json.field("inputs", inputs)
        json.field("connections", connections)
        json.field("channels", channels)
        json.field("messages", messages)
        json.field("rules", rules)
        json.field("rules_evaluated", rulesEvaluated)
        json.field("rules_not_evaluated", rulesNotEvaluated)
        json.field("rules_partly_evaluated", rulesPartlyEvaluated)
        json.field("findings", findings)
        json.field("roots", findings - followOns)
        json.field("follow_ons", followOns)
        json.field("errors", errors)
        json.field("warnings", warnings)
        json.field("possible", possible)
        json.field("hazards", hazards)
        json.field("diagnostics", diagnostics)
        json.field("diagnostic_errors", diagnosticErrors)
    }
}
