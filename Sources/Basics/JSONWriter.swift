/// A streaming JSON writer that keeps keys in the order written: lntrace's one JSON writer.
///
/// Reports are written field by field in spec order (like tshark's JSON), without building
/// an intermediate tree; commas, brackets and escaping are handled here once, so no caller
/// frames JSON by hand. Strings are escaped as RFC 8259 requires (quote, backslash and
/// control characters; DEL as `\u007f`); other bytes, UTF-8 included, are written as they are.
///
/// Every method is inlinable: the reporters in other modules write millions of fields, and a
/// call they cannot specialise (`hex` of their byte collection) or inline costs more than the
/// field itself.
public struct JSONWriter: Sendable {
    /// What is written so far.
    @inlinable
    public var bytes: [UInt8] { output }
    @usableFromInline
    var output: [UInt8] = []
    /// For each open container: whether it already has an element (so the next needs a comma).
    @usableFromInline
    var needsComma: [Bool] = []
    @usableFromInline
    var afterKey = false

    @inlinable
    public init(capacity: Int = 512) {
        output.reserveCapacity(capacity)
    }

    @inlinable
    public mutating func reset() {
        output.removeAll(keepingCapacity: true)
        needsComma.removeAll(keepingCapacity: true)
        afterKey = false
    }

    /// Ends a top-level value with a line break (JSON Lines).
    @inlinable
    public mutating func lineBreak() {
        output.append(UInt8(ascii: "\n"))
    }

    @inlinable
    mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if let last = needsComma.last {
            if last { output.append(UInt8(ascii: ",")) }
            needsComma[needsComma.count - 1] = true
        }
    }

    @inlinable
    public mutating func beginObject() {
        separate()
        output.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    @inlinable
    public mutating func endObject() {
        needsComma.removeLast()
        output.append(UInt8(ascii: "}"))
    }

    @inlinable
    public mutating func beginArray() {
        separate()
        output.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    @inlinable
    public mutating func endArray() {
        needsComma.removeLast()
        output.append(UInt8(ascii: "]"))
    }

    @inlinable
    public mutating func key(_ name: String) {
        separate()
        appendString(name)
        output.append(UInt8(ascii: ":"))
        afterKey = true
    }

    @inlinable
    public mutating func string(_ value: String) {
        separate()
        appendString(value)
    }

    @inlinable
    public mutating func number(_ value: UInt64) {
        separate()
        output.append(contentsOf: String(value).utf8)
    }

    @inlinable
    public mutating func number(_ value: Int64) {
        separate()
        output.append(contentsOf: String(value).utf8)
    }

    @inlinable
    public mutating func number(_ value: Int) {
        number(Int64(value))
    }

    /// A floating-point number (finite values only; others are written as `null`).
    @inlinable
    public mutating func number(_ value: Double) {
        separate()
        if value.isFinite {
            output.append(contentsOf: String(value).utf8)
        } else {
            output.append(contentsOf: "null".utf8)
        }
    }

    @inlinable
    public mutating func bool(_ value: Bool) {
        separate()
        output.append(contentsOf: (value ? "true" : "false").utf8)
    }

    @inlinable
    public mutating func null() {
        separate()
        output.append(contentsOf: "null".utf8)
    }

    /// A byte string as lowercase hex.
    @inlinable
    public mutating func hex(_ value: some Collection<UInt8>) {
        separate()
        output.append(UInt8(ascii: "\""))
        Hex.append(value, to: &output)
        output.append(UInt8(ascii: "\""))
    }

    /// Convenience: `"key": value` pairs.
    @inlinable
    public mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    @inlinable
    public mutating func field(_ name: String, _ value: Int) {
        key(name)
        number(value)
    }

    @inlinable
    public mutating func field(_ name: String, _ value: UInt64) {
        key(name)
        number(value)
    }

    @inlinable
    public mutating func field(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    /// `"key": ["a", "b", …]`.
    @inlinable
    public mutating func field(_ name: String, _ values: some Sequence<String>) {
        key(name)
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    /// Hands what is written so far to `sink` and forgets it, keeping the open objects and
    /// arrays: a long document (a report of a million findings) is written to its output
    /// piece by piece, framed by the writer all the same.
    @inlinable
    public mutating func drain(_ sink: ([UInt8]) -> Void) {
        guard !output.isEmpty else { return }
        sink(output)
        output.removeAll(keepingCapacity: true)
    }

    @inlinable
    mutating func appendString(_ value: String) {
        output.append(UInt8(ascii: "\""))
        // Most strings (names, hex, numbers) need no escaping.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5c || $0 == 0x7f }) {
            output.append(contentsOf: value.utf8)
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5c, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5c, 0x5c])
            case 0x0a: output.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0d: output.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case 0..<0x20, 0x7f:
                output.append(contentsOf: [0x5c, UInt8(ascii: "u"), 0x30, 0x30, Hex.digit(byte >> 4), Hex.digit(byte)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
