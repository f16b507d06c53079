import Basics

/// Keys for decrypting recorded BOLT #8 sessions, from key-log files and `--key` lines.
///
/// Two line formats, which may be mixed (`#` starts a comment):
/// - `<32 hex> <64 hex>`: the Poly1305 tag of the encrypted length of the first message of a
///   key epoch, and that epoch's key. This is the Wireshark lightning-dissector format that
///   eclair's `keylog` logger and ptarmigan's `LIGHTNINGKEYLOGFILE` write: one line per
///   direction per epoch.
/// - `<66 hex> <64 hex>`: the initiator's ephemeral public key from act one, and the final
///   handshake chaining key, which decrypts both directions and every rotation.
///
/// Key material is never printed: diagnostics name the line, not its content.
public struct KeyLog: Sendable {
    /// Epoch keys by the tag of their first length frame.
    public private(set) var keysByTag: [[UInt8]: [UInt8]] = [:]
    /// Final chaining keys by the initiator's ephemeral public key.
    public private(set) var chainingKeysByEphemeral: [[UInt8]: [UInt8]] = [:]

    /// A line that is not in either format.
    public struct LineError: Error, Sendable, CustomStringConvertible {
        public var source: String
        public var line: Int
        public var reason: String
        public var description: String { "\(source):\(line): \(reason)" }
    }

    public init() {}

    public var isEmpty: Bool { keysByTag.isEmpty && chainingKeysByEphemeral.isEmpty }
    public var count: Int { keysByTag.count + chainingKeysByEphemeral.count }

    /// Adds every line of `text`; returns the lines that could not be read.
    @discardableResult
    public mutating func add(text: some StringProtocol, source: String) -> [LineError] {
        var errors: [LineError] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let error = add(line: line, source: source, lineNumber: index + 1) { errors.append(error) }
        }
        return errors
    }

    /// Adds one line; returns why it could not be read, if so.
    public mutating func add(line: some StringProtocol, source: String, lineNumber: Int) -> LineError? {
        var content = Substring(line)
        if let hash = content.firstIndex(of: "#") { content = content[..<hash] }
        let tokens = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        if tokens.isEmpty { return nil }
        func fail(_ reason: String) -> LineError { LineError(source: source, line: lineNumber, reason: reason) }
        guard tokens.count == 2 else {
            return fail("expected two hex values (tag or ephemeral key, then key), found \(tokens.count) fields")
        }
        guard let first = Hex.decode(tokens[0]), let second = Hex.decode(tokens[1]) else {
            return fail("not hex")
        }
        guard second.count == 32 else { return fail("the key must be 64 hex digits, found \(tokens[1].count)") }
        switch first.count {
        case 16:
            keysByTag[first] = second
        case 33:
            guard first[0] == 2 || first[0] == 3 else { return fail("the ephemeral key is not a compressed public key") }
            chainingKeysByEphemeral[first] = second
        default:
            return fail("the first value must be a 32-hex-digit tag or a 66-hex-digit public key, found \(tokens[0].count) digits")
        }
        return nil
    }

    /// The cipher states that decrypt a connection whose act one carried `ephemeral`.
    public func keys(ephemeral: [UInt8]) -> TransportKeys? {
        chainingKeysByEphemeral[ephemeral].map { TransportKeys(chainingKey: $0) }
    }

    /// The epoch key whose first length frame carries `tag`.
    public func key(tag: some Collection<UInt8>) -> [UInt8]? {
        keysByTag[Array(tag)]
    }
}
