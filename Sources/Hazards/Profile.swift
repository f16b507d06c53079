import Rules
import Wire

/// How an implementation dispatches one channel's received messages: which queue (a
/// subsystem with its own goroutine or task) each message type goes to, and the failures
/// known to follow when a later message overtakes an earlier one.
///
/// Profiles are data, in the format `lntrace profiles NAME` prints (one directive per
/// line; lines starting with `#` are comments; `"…"` quotes a value with spaces):
///
///     profile lnd-0.18
///     description lnd 0.18: …
///     versions 0.18.0 0.19.0
///     queue link update_add_htlc commitment_signed …
///     queue closer shutdown closing_signed
///     fails sd-no-add
///     known lnd-8393 first=update_add_htlc second=shutdown outcome=sd-no-add issues=lnd#8393,lnd#8167 consequence="…"
///
/// Messages in one queue are processed in arrival order; messages in different queues may
/// not be. Types in no queue take part in no hazard. `fails` lists the rules whose firing,
/// when the channel is replayed in the reordered processing order, means this
/// implementation fails the link or the channel (for example an `update_add_htlc` processed
/// after `shutdown`); only those outcomes are hazards (`fails *`: any rule).
public struct Profile: Sendable {
    /// A failure known to follow when `second` is processed before `first`.
    public struct Known: Sendable {
        public var id: String
        public var first: Set<MessageKind>
        public var second: Set<MessageKind>
        /// The outcome rules it stands for (empty: any of the profile's `fails`).
        public var outcome: Set<String>
        public var issues: [String]
        public var consequence: String
        public var explanation: String
        /// What the implementation logs when the failure happens (`observed=`), to
        /// recognise it in the node's log.
        public var observed: String?
    }

    public var name: String
    public var description: String
    /// The implementation versions the profile describes, `[from, to)`; `nil` for any.
    public var versions: (from: String, to: String?)?
    /// Queue name per message kind.
    public var queues: [MessageKind: String]
    public var queueOrder: [String]
    /// Rules whose firing under reordering is a failure for this implementation (`*`: any).
    public var fails: Set<String>
    public var known: [Known]

    /// Whether one channel's messages may be processed out of order: they go to more than one
    /// queue (gossip apart, unless the profile fails on an implementation outcome: the
    /// channel's own `channel_update`, handled apart from it).
    public var reordersChannels: Bool {
        let gossip: Set<MessageKind> = [.channelAnnouncement, .nodeAnnouncement, .channelUpdate]
        if Set(queues.filter { !gossip.contains($0.key) }.values).count > 1 { return true }
        return Set(queues.values).count > 1 && ImplementationOutcomes.all.contains { fails.contains($0.info.id) }
    }

    /// The queue a message type goes to, if any.
    public func queue(of kind: MessageKind?) -> String? { kind.flatMap { queues[$0] } }

    /// Whether a rule firing under reordering is a failure for this implementation.
    public func failsOn(_ rule: String) -> Bool { fails.contains("*") || fails.contains(rule) }

    /// The known failure for `second` overtaking `first` with these outcome rules, if any.
    public func known(first: MessageKind?, second: MessageKind?, outcome: Set<String>) -> Known? {
        guard let first, let second else { return nil }
        return known.first { $0.first.contains(first) && $0.second.contains(second) && ($0.outcome.isEmpty || !$0.outcome.isDisjoint(with: outcome)) }
    }
}

/// A line of a profile that does not parse, or names a message type or rule that does not
/// exist (which would silently disable the hazard it was meant for).
public struct ProfileError: Error, CustomStringConvertible {
    /// The profile file, when the text came from one.
    public var file: String?
    public var line: Int
    public var message: String

    public init(file: String? = nil, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`, as compilers print.
    public var description: String {
        if let file { return "\(file):\(line): \(message)" }
        return "line \(line): \(message)"
    }
}

extension Profile {
    /// Parses a profile (see the type's documentation for the format), read from `file` if
    /// given (errors name it). Every message type must be a BOLT message lntrace decodes and
    /// every rule id one of the catalog's.
    public init(parsing text: String, file: String? = nil) throws(ProfileError) {
        do {
            try self.init(lines: text)
        } catch {
            var located = error
            located.file = file
            throw located
        }
    }

    /// The spec names of the message types the codec knows (for hints).
    static let messageNames = Set(MessageKind.allCases.map(\.name))
    static let ruleIDs = Set((Catalog.rules + ImplementationOutcomes.all).map { $0.info.id })

    /// The kinds the names name; throws at the first that is no known message type.
    static func kinds(_ names: some Sequence<String>, line: Int) throws(ProfileError) -> [MessageKind] {
        var out: [MessageKind] = []
        for name in names {
            if let kind = MessageKind(name: name) {
                out.append(kind)
                continue
            }
            let near = messageNames.filter { $0.hasPrefix(name.prefix(while: { $0 != "_" })) }.sorted().prefix(4)
            throw ProfileError(
                line: line, message: "no message type '\(name)'\(near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?")")
        }
        return out
    }

    /// Throws unless every id is a rule of the catalog.
    static func checkRules(_ ids: some Sequence<String>, line: Int) throws(ProfileError) {
        for id in ids where !ruleIDs.contains(id) {
            let near = ruleIDs.filter { $0.hasPrefix(id.prefix(while: { $0 != "-" }) + "-") }.sorted().prefix(4)
            throw ProfileError(
                line: line, message: "no rule '\(id)'\(near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?") (see `lntrace rules`)")
        }
    }

    private init(lines text: String) throws(ProfileError) {
        var name: String?
        var description = ""
        var versions: (String, String?)?
        var queues: [MessageKind: String] = [:]
        var queueOrder: [String] = []
        var fails: Set<String> = []
        var known: [Known] = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let words = Self.tokens(String(raw))
            guard let head = words.first else { continue }
            let rest = Array(words.dropFirst())
            switch head {
            case "profile":
                guard rest.count == 1 else { throw ProfileError(line: number, message: "usage: profile NAME") }
                name = rest[0]
            case "description":
                description = rest.joined(separator: " ")
            case "versions":
                guard (1...2).contains(rest.count) else { throw ProfileError(line: number, message: "usage: versions FROM [TO]") }
                versions = (rest[0], rest.count == 2 ? rest[1] : nil)
            case "queue":
                guard rest.count >= 2 else { throw ProfileError(line: number, message: "usage: queue NAME TYPE…") }
                queueOrder.append(rest[0])
                for kind in try Self.kinds(rest.dropFirst(), line: number) {
                    if let other = queues[kind] { throw ProfileError(line: number, message: "\(kind.name) is already in queue \(other)") }
                    queues[kind] = rest[0]
                }
            case "fails":
                try Self.checkRules(rest.filter { $0 != "*" }, line: number)
                fails.formUnion(rest)
            case "known":
                guard let id = rest.first else {
                    throw ProfileError(line: number, message: "usage: known ID first=… second=… issues=… consequence=\"…\"")
                }
                var fields: [String: String] = [:]
                for word in rest.dropFirst() {
                    guard let eq = word.firstIndex(of: "=") else { throw ProfileError(line: number, message: "expected key=value, got '\(word)'") }
                    fields[String(word[..<eq])] = String(word[word.index(after: eq)...])
                }
                guard let first = fields["first"], let second = fields["second"], let consequence = fields["consequence"] else {
                    throw ProfileError(line: number, message: "known \(id) needs first=, second= and consequence=")
                }
                func list(_ text: String?) -> [String] { text.map { $0.split(separator: ",").map(String.init) } ?? [] }
                let firstKinds = try Self.kinds(list(first), line: number), secondKinds = try Self.kinds(list(second), line: number)
                try Self.checkRules(list(fields["outcome"]), line: number)
                known.append(
                    Known(
                        id: id, first: Set(firstKinds), second: Set(secondKinds), outcome: Set(list(fields["outcome"])),
                        issues: list(fields["issues"]), consequence: consequence, explanation: fields["explanation"] ?? "",
                        observed: fields["observed"]))
            default:
                throw ProfileError(line: number, message: "unknown directive '\(head)'")
            }
        }
        guard let name else { throw ProfileError(line: 1, message: "no 'profile NAME' line") }
        self.init(
            name: name, description: description, versions: versions, queues: queues, queueOrder: queueOrder, fails: fails,
            known: known)
    }

    /// Splits on spaces; `"…"` groups words, also after `key=`. A line whose first
    /// character (after spaces) is `#` is a comment.
    static func tokens(_ line: String) -> [String] {
        if line.drop(while: { $0 == " " || $0 == "\t" }).first == "#" { return [] }
        var out: [String] = []
        var current = ""
        var quoted = false
        var started = false
        for character in line {
            if character == "\"" {
                quoted.toggle()
                started = true
            } else if (character == " " || character == "\t") && !quoted {
                if started { out.append(current) }
                current = ""
                started = false
            } else {
                current.append(character)
                started = true
            }
        }
        if started { out.append(current) }
        return out
    }
}
