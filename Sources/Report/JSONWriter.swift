/// A streaming JSON writer that keeps keys in the order written.
///
/// Reports are written field by field in spec order (like tshark's JSON), without building
/// an intermediate tree; commas and escaping are handled here once.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// For each open container: whether it already has an element (so the next needs a comma).
    private var needsComma: [Bool] = []
    private var afterKey = false

    public init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma.removeAll(keepingCapacity: true)
        afterKey = false
    }

    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if let last = needsComma.last {
            if last { bytes.append(UInt8(ascii: ",")) }
            needsComma[needsComma.count - 1] = true
        }
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    public mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    public mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func key(_ name: String) {
        separate()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ value: String) {
        separate()
        appendString(value)
    }

    public mutating func number(_ value: UInt64) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func number(_ value: Int64) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func number(_ value: Int) {
        number(Int64(value))
    }

    /// A floating-point number (finite values only; others are written as `null`).
    public mutating func number(_ value: Double) {
        separate()
        if value.isFinite {
            bytes.append(contentsOf: String(value).utf8)
        } else {
            bytes.append(contentsOf: "null".utf8)
        }
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    /// A byte string as lowercase hex.
    public mutating func hex(_ value: some Collection<UInt8>) {
        separate()
        let count = value.count
        bytes.append(UInt8(ascii: "\""))
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: count * 2))
        bytes.withUnsafeMutableBufferPointer { out in
            Self.hexDigits.withUnsafeBufferPointer { digits in
                var i = start
                for byte in value {
                    out[i] = digits[Int(byte >> 4)]
                    out[i + 1] = digits[Int(byte & 0x0f)]
                    i += 2
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Convenience: `"key": value` pairs.
    public mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    public mutating func field(_ name: String, _ value: Int) {
        key(name)
        number(value)
    }

    public mutating func field(_ name: String, _ value: UInt64) {
        key(name)
        number(value)
    }

    public mutating func field(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    /// `"key": ["a", "b", …]`.
    public mutating func field(_ name: String, _ values: some Sequence<String>) {
        key(name)
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    /// Opens one of lntrace's JSON documents: `{"schema_version":1,"tool":{"name":"lntrace",
    /// "version":…}`, then `"command":…` when given; the caller writes the other members.
    public mutating func beginDocument(toolVersion: String, command: String? = nil) {
        beginObject()
        field("schema_version", 1)
        key("tool")
        beginObject()
        field("name", "lntrace")
        field("version", toolVersion)
        endObject()
        if let command { field("command", command) }
    }

    private mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings (names, hex, numbers) need no escaping.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5c || $0 == 0x7f }) {
            bytes.append(contentsOf: value.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5c, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5c, 0x5c])
            case 0x0a: bytes.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0d: bytes.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case 0..<0x20, 0x7f:
                let hex: StaticString = "0123456789abcdef"
                hex.withUTF8Buffer { d in
                    bytes.append(contentsOf: [0x5c, UInt8(ascii: "u"), 0x30, 0x30, d[Int(byte >> 4)], d[Int(byte & 0xf)]])
                }
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension Output {
    /// Writes what `build` puts into `json`, which is cleared first (its buffer is reused).
    public func write(_ json: inout JSONWriter, _ build: (inout JSONWriter) -> Void) {
        json.reset()
        build(&json)
        write(bytes: json.bytes)
    }

    /// Writes one JSON Lines record: what `build` puts into `json`, and a newline.
    public func record(_ json: inout JSONWriter, _ build: (inout JSONWriter) -> Void) {
        write(&json, build)
        write("\n")
    }

    /// Writes one element of an array whose brackets are written elsewhere: a comma unless
    /// it is the first (`wrote` keeps track), then what `build` puts into `json`.
    public func element(_ json: inout JSONWriter, after wrote: inout Bool, _ build: (inout JSONWriter) -> Void) {
        if wrote { write(",") }
        write(&json, build)
        wrote = true
    }

    /// Opens a streamed JSON document (see ``JSONWriter/beginDocument(toolVersion:command:)``)
    /// up to the opening bracket of its first member, the array `first`, whose elements follow.
    public func beginDocument(toolVersion: String, command: String, array first: String) {
        var json = JSONWriter()
        json.beginDocument(toolVersion: toolVersion, command: command)
        json.key(first)
        json.beginArray()
        write(bytes: json.bytes)
    }
}
