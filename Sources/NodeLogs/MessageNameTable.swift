import Wire

/// One implementation's names for the wire messages its log reports, by message type (BOLT #1
/// §"Lightning Message Format"). A dialect's parser reads names through it and `lntrace synth`
/// writes them from it, so a message is added to a dialect in one place.
public struct MessageNameTable: Sendable {
    /// One message type and what the implementation's log calls it.
    public struct Entry: Sendable {
        /// The message type.
        public let type: UInt16
        /// The spec name (`update_add_htlc`), or `unknown_<type>` for a type Wire does not decode.
        public let spec: String
        /// Whether Wire decodes the type (``Message/knownTypes``).
        public let isKnown: Bool
        /// The message's kind; `nil` for a type Wire does not decode.
        public let kind: MessageKind?
        /// The name the implementation writes now (and `lntrace synth` writes), then the names
        /// earlier versions or other log lines use for the same message.
        public let names: [String]

        /// A message Wire decodes, named as in the spec.
        public init<M: WireMessage>(_ message: M.Type, _ names: String...) {
            self.init(type: M.type, names)
        }

        /// A message by its type number (also one Wire does not decode).
        public init(type: UInt16, _ names: [String]) {
            self.type = type
            self.spec = Message.name(ofType: type)
            self.isKnown = Message.knownTypes[type] != nil
            self.kind = MessageKind(rawValue: type)
            self.names = names
        }
    }

    /// Every entry, in the table's order.
    public let entries: [Entry]
    private let byName: [String: Entry]
    private let byType: [UInt16: Entry]

    /// A name listed twice keeps its first entry (`DialectTableTests` checks there are none).
    public init(_ entries: [Entry]) {
        self.entries = entries
        var byName: [String: Entry] = [:]
        var byType: [UInt16: Entry] = [:]
        for entry in entries {
            for name in entry.names where byName[name] == nil { byName[name] = entry }
            if byType[entry.type] == nil { byType[entry.type] = entry }
        }
        self.byName = byName
        self.byType = byType
    }

    /// The message a log name stands for.
    public func entry(named name: String) -> Entry? {
        byName[name]
    }

    /// The entry of a message type.
    public func entry(type: UInt16) -> Entry? {
        byType[type]
    }

    /// The name the implementation writes now for a message type.
    public func name(of type: UInt16) -> String? {
        byType[type]?.names.first
    }
}
