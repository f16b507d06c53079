import Basics

/// Why a field could not be set from text (a scenario's `field=value`).
public struct AssignmentError: Error, Hashable, Sendable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}

/// Parses field values written as text, as scenario files write them: integers in decimal
/// or `0x` hex, byte strings in hex (`""` or empty for none), `short_channel_id` as
/// `BLOCKxTXxOUTPUT`, lists comma-separated.
public enum FieldText {
    public static func unsigned<T: FixedWidthInteger & UnsignedInteger>(_ text: String, _ field: String) throws(AssignmentError) -> T {
        let value: T?
        if text.hasPrefix("0x") {
            value = T(text.dropFirst(2), radix: 16)
        } else {
            value = T(text.filter { $0 != "_" })
        }
        guard let value else { throw AssignmentError(field, "'\(text)' is not an integer in 0…\(T.max)") }
        return value
    }

    public static func signed(_ text: String, _ field: String) throws(AssignmentError) -> Int64 {
        guard let value = Int64(text.filter { $0 != "_" }) else {
            throw AssignmentError(field, "'\(text)' is not a signed 64-bit integer")
        }
        return value
    }

    public static func bytes(_ text: String, _ field: String, count: Int? = nil) throws(AssignmentError) -> [UInt8] {
        let digits = text == "\"\"" ? "" : (text.hasPrefix("0x") ? String(text.dropFirst(2)) : text)
        guard let bytes = Hex.decode(digits) else { throw AssignmentError(field, "'\(text)' is not hex") }
        if let count, bytes.count != count {
            throw AssignmentError(field, "needs exactly \(count) bytes, got \(bytes.count)")
        }
        return bytes
    }

    public static func fixed<T: FixedSizeBytes>(_ text: String, _ field: String) throws(AssignmentError) -> T {
        T(unchecked: try bytes(text, field, count: T.size))
    }

    public static func shortChannelID(_ text: String, _ field: String) throws(AssignmentError) -> ShortChannelID {
        if let scid = ShortChannelID(text) { return scid }
        return ShortChannelID(rawValue: try unsigned(text, field))
    }

    public static func flag(_ text: String, _ field: String) throws(AssignmentError) -> Bool {
        switch text {
        case "", "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: throw AssignmentError(field, "'\(text)' is not true or false")
        }
    }

    /// A comma-separated list (empty text: an empty list).
    public static func list<T>(
        _ text: String, _ field: String, _ element: (String) throws(AssignmentError) -> T
    ) throws(AssignmentError) -> [T] {
        if text.isEmpty || text == "[]" { return [] }
        var out: [T] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            out.append(try element(String(part)))
        }
        return out
    }

    /// Splits `record=a,b,c` values of a multi-field TLV record.
    public static func parts(_ text: String, _ field: String, count: Int) throws(AssignmentError) -> [String] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == count else {
            throw AssignmentError(field, "needs \(count) comma-separated values, got \(parts.count)")
        }
        return parts
    }
}

extension TLVStream {
    /// Sets or removes (`none`) a record of unknown type: `65537=0a0b`.
    mutating func assignUnknown(_ type: UInt64, _ text: String, _ field: String) throws(AssignmentError) {
        unknownRecords.removeAll { $0.type == type }
        if text == "none" { return }
        unknownRecords.append(TLVRecord(type: type, value: try FieldText.bytes(text, field)))
        unknownRecords.sort { $0.type < $1.type }
    }
}
