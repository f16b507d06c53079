import Basics
import Secp256k1
import Wire

/// A value printed by a language's default formatter: Scala's case-class `toString`
/// (`Name(a,b,List())`) or Rust's `#[derive(Debug)]` (`Name { a: 1, b: [1, 2] }`).
indirect enum DebugValue: Equatable {
    /// `Name(…)`: a case class, tuple struct or call-like wrapper.
    case call(String, [DebugValue])
    /// `Name { field: value, … }`.
    case record(String, [(String, DebugValue)])
    case list([DebugValue])
    case string(String)
    /// Anything else, as written: numbers, hex, `1000 msat`, `None`, `<private_key>`.
    case atom(String)

    static func == (a: DebugValue, b: DebugValue) -> Bool {
        switch (a, b) {
        case let (.call(x, y), .call(u, v)): x == u && y == v
        case let (.record(x, y), .record(u, v)): x == u && y.map(\.0) == v.map(\.0) && y.map(\.1) == v.map(\.1)
        case let (.list(x), .list(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.atom(x), .atom(y)): x == y
        default: false
        }
    }

    /// A record field by name, searching nested records (`common_fields { … }`) too.
    func field(_ name: String) -> DebugValue? {
        switch self {
        case let .record(_, fields):
            if let hit = fields.first(where: { $0.0 == name }) { return hit.1 }
            for (_, value) in fields {
                if case .record = value, let hit = value.field(name) { return hit }
            }
            return nil
        case let .call(_, args) where args.count == 1:
            return args[0].field(name)
        default:
            return nil
        }
    }

    /// `Some(x)` → x; `None` → nil.
    var unwrapped: DebugValue? {
        switch self {
        case .atom("None"): nil
        case let .call("Some", args) where args.count == 1: args[0].unwrapped
        default: self
        }
    }

    /// The first number in the value: `1000`, `1000 msat`, `CltvExpiry(800000)`,
    /// `FeeratePerKw(253 sat)`, `true`/`false` as 1/0.
    var number: UInt64? {
        switch self.unwrapped {
        case let .atom(text)?:
            if text == "true" { return 1 }
            if text == "false" { return 0 }
            return UInt64(text.split(separator: " ").first ?? "")
        case let .call(_, args)? where args.count == 1:
            return args[0].number
        default:
            return nil
        }
    }

    /// Bytes printed as hex (`0a0b…`, `0x0a0b`, `ByteVector(2 bytes, 0x0a0b)`,
    /// `ChannelId(0a0b…)`) or as a list of decimal bytes (`[10, 11]`, `ChannelId([10, 11])`).
    /// Abbreviated values (`…`, `...`) give `nil`.
    /// Whether a logged value was shortened (`...` or `…`), on its UTF-8 bytes.
    static func isElided(_ text: String) -> Bool {
        var dots = 0
        var before: UInt8 = 0, last: UInt8 = 0
        for byte in text.utf8 {
            dots = byte == 0x2e ? dots + 1 : 0
            if dots == 3 || (before == 0xe2 && last == 0x80 && byte == 0xa6) { return true }
            before = last
            last = byte
        }
        return false
    }

    var bytes: [UInt8]? {
        switch self.unwrapped {
        case let .atom(text)?:
            if Self.isElided(text) { return nil }
            if text == "empty" || text == "ByteVector(empty)" { return [] }
            let utf8 = Array(text.utf8)
            let digits = utf8.starts(with: [0x30, 0x78]) ? utf8[2...] : utf8[...]
            return Hex.decode(utf8: digits)
        case let .list(items)?:
            var out: [UInt8] = []
            for item in items {
                guard case let .atom(text) = item, let byte = UInt8(text) else { return nil }
                out.append(byte)
            }
            return out
        case let .call("ByteVector", args)?:
            // ByteVector(292 bytes, 0x9ff5…)
            return args.last?.bytes
        case let .call(_, args)? where args.count == 1:
            return args[0].bytes
        case let .string(text)?:
            return Array(text.utf8)
        default:
            return nil
        }
    }

    /// A 33-byte public key: compressed hex, or rust-secp256k1's 64-byte internal form.
    var point: [UInt8]? {
        guard let raw = bytes else { return nil }
        if raw.count == 33 { return raw }
        if raw.count == 64 { return Secp256k1.compress(internal: raw) ?? Secp256k1.compress(internal: raw.reversed()) }
        return nil
    }

    /// A 64-byte compact signature: compact hex, or DER (rust-secp256k1's `Debug`).
    var signature: [UInt8]? {
        guard let raw = bytes else { return nil }
        if raw.count == 64 { return raw }
        return Secp256k1.compact(der: raw)
    }
}

/// Parses `DebugValue`s from text. Lenient: what it cannot read becomes an atom.
struct DebugParser {
    private let text: [UInt8]
    private var i = 0

    init(_ text: Substring) {
        self.text = Array(text.utf8)
    }

    static func parse(_ text: Substring) -> DebugValue {
        var parser = DebugParser(text)
        return parser.value()
    }

    private var current: UInt8? { i < text.count ? text[i] : nil }

    private mutating func skipSpaces() {
        while let c = current, c == 32 || c == 9 { i += 1 }
    }

    mutating func value() -> DebugValue {
        skipSpaces()
        guard let c = current else { return .atom("") }
        if c == UInt8(ascii: "[") {
            i += 1
            return .list(items(closing: UInt8(ascii: "]")))
        }
        if c == UInt8(ascii: "\"") {
            return .string(quoted())
        }
        // An atom or a name: read up to a delimiter at depth 0.
        let start = i
        while let c = current, !Self.delimiters.contains(c) {
            if c == 32, let next = lookahead(), next == UInt8(ascii: "{") || next == UInt8(ascii: "(") { break }
            // "1000 msat": a space inside an atom is kept unless a structure follows.
            if c == 32, i + 1 < text.count, Self.delimiters.contains(text[i + 1]) { break }
            i += 1
        }
        let word = String(decoding: text[start..<i], as: UTF8.self).trimmingSpaces()
        skipSpaces()
        if current == UInt8(ascii: "(") {
            i += 1
            if word == "ByteVector" || word == "TlvStream" {
                // Keep "292 bytes, 0x…" together as arguments.
                return .call(word, items(closing: UInt8(ascii: ")")))
            }
            return .call(word, items(closing: UInt8(ascii: ")")))
        }
        if current == UInt8(ascii: "{") {
            i += 1
            return .record(word, fields())
        }
        return .atom(word)
    }

    private func lookahead() -> UInt8? {
        var j = i
        while j < text.count, text[j] == 32 { j += 1 }
        return j < text.count ? text[j] : nil
    }

    static let delimiters: Set<UInt8> = [
        UInt8(ascii: ","), UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"),
        UInt8(ascii: "("), UInt8(ascii: "{"), UInt8(ascii: "["),
    ]

    private mutating func items(closing: UInt8) -> [DebugValue] {
        var out: [DebugValue] = []
        skipSpaces()
        if current == closing {
            i += 1
            return out
        }
        while current != nil {
            out.append(value())
            skipSpaces()
            if current == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if current == closing { i += 1 }
            break
        }
        return out
    }

    private mutating func fields() -> [(String, DebugValue)] {
        var out: [(String, DebugValue)] = []
        while true {
            skipSpaces()
            guard let c = current else { break }
            if c == UInt8(ascii: "}") {
                i += 1
                break
            }
            let start = i
            while let c = current, c != UInt8(ascii: ":"), c != UInt8(ascii: "}") { i += 1 }
            let name = String(decoding: text[start..<i], as: UTF8.self).trimmingSpaces()
            guard current == UInt8(ascii: ":") else { break }
            i += 1
            out.append((name, value()))
            skipSpaces()
            if current == UInt8(ascii: ",") { i += 1 }
        }
        return out
    }

    private mutating func quoted() -> String {
        i += 1
        var out: [UInt8] = []
        while let c = current {
            i += 1
            if c == UInt8(ascii: "\\"), let next = current {
                out.append(next)
                i += 1
                continue
            }
            if c == UInt8(ascii: "\"") { break }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
