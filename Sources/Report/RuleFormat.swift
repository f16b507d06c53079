import Basics
import Rules

extension Rule: JSONRecord {
    public static var kind: String { "rule" }

    /// Its catalog entry: id, title, severity, section, spec text, explanation, example,
    /// whether the vantage point matters, and the messages it is checked on.
    public func writeMembers(into json: inout JSONWriter) {
        let info = self.info
        json.field("id", info.id)
        json.field("title", info.title)
        json.field("severity", info.severity.rawValue)
        json.field("section", info.section)
        json.field("spec", info.spec)
        json.field("explanation", info.explanation)
        json.field("example", info.example)
        json.field("vantage_dependent", info.vantageDependent)
        json.field("messages", triggerNames)
        json.field("status", "checked")
    }
}

extension CatalogEntry: JSONRecord {
    public static var kind: String { "requirement" }

    /// A requirement that is not a rule: its id, area and status, with the reason it cannot
    /// be checked from a trace or the rule that judges it.
    public func writeMembers(into json: inout JSONWriter) {
        json.field("id", id)
        json.field("area", area)
        switch status {
        case let .notCheckable(reason):
            json.field("status", "not_checkable")
            json.field("reason", reason)
        case let .judgedBy(rule, note):
            json.field("status", "judged_by")
            json.field("rule", rule)
            json.field("note", note)
        case .planned:
            json.field("status", "planned")
        }
    }
}

/// `lntrace rules` and `lntrace explain`.
public enum RuleFormat {
    public static func text(_ rules: [Rule]) -> [String] {
        let width = rules.map(\.info.id.count).max() ?? 0
        return rules.map { rule in
            let id = rule.info.id.padding(toLength: width, withPad: " ", startingAt: 0)
            let severity = rule.info.severity.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
            return "\(id)  \(severity)  \(rule.info.title)  [\(rule.info.section)]"
        }
    }

    /// `lntrace rules --all`, after the rules: the requirements that are not rules, by status.
    public static func text(_ entries: [CatalogEntry]) -> [String] {
        var lines: [String] = []
        let notCheckable = entries.compactMap { entry -> (String, String, String)? in
            if case let .notCheckable(reason) = entry.status { return (entry.id, entry.area, reason) }
            return nil
        }
        if !notCheckable.isEmpty {
            lines += ["", "Not checkable from a trace (\(notCheckable.count)):"]
            for (id, area, reason) in notCheckable { lines += wrap("\(id) (\(area)): \(reason)", indent: "  ") }
        }
        let judged = entries.compactMap { entry -> (String, String, String)? in
            if case let .judgedBy(rule, note) = entry.status { return (entry.id, rule, note) }
            return nil
        }
        if !judged.isEmpty {
            lines += ["", "Judged by another rule (\(judged.count)):"]
            for (id, rule, note) in judged { lines += wrap("\(id): see \(rule), \(note)", indent: "  ") }
        }
        let planned = entries.filter { $0.status == .planned }
        if !planned.isEmpty {
            lines += ["", "Checkable from a trace, not implemented yet (\(planned.count)):"]
            var areas: [String] = []
            for entry in planned where !areas.contains(entry.area) { areas.append(entry.area) }
            for area in areas {
                let ids = planned.filter { $0.area == area }.map(\.id).joined(separator: " ")
                lines += wrap("\(area): \(ids)", indent: "  ")
            }
        }
        return lines
    }

    /// `lntrace explain RULE`: what it checks, the spec text, an example.
    public static func explain(_ rule: Rule) -> [String] {
        let info = rule.info
        var lines = [
            "\(info.id): \(info.title)",
            "",
            "Severity:  \(info.severity.rawValue) (\(info.severity == .error ? "a MUST or MUST NOT, or forced by the protocol" : "a SHOULD, or an anomaly"))",
            "Section:   \(info.section)",
            "Checked on: \(rule.triggersOnEveryMessage ? "every message" : rule.triggerNames.joined(separator: ", "))",
            "",
            "Spec:",
        ]
        lines += wrap(info.spec, indent: "  ")
        lines += ["", "What lntrace checks:"]
        lines += wrap(info.explanation, indent: "  ")
        lines += ["", "Example of a violation:", "  \(info.example)"]
        if info.vantageDependent {
            lines += [
                "",
                "Vantage: messages crossing on the wire can explain this finding; it is certain only when the trace was recorded at the sender (a node log, or a capture with --local).",
            ]
        }
        return lines
    }

    static func wrap(_ text: String, indent: String, width: Int = 92) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + word.count + 1 > width - indent.count {
                lines.append(indent + line)
                line = ""
            }
            line += line.isEmpty ? String(word) : " " + word
        }
        if !line.isEmpty { lines.append(indent + line) }
        return lines
    }
}
