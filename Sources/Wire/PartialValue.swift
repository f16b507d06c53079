/// Conversions from a source's named field values (``FieldValue``) to the typed fields of a
/// message's `Partial` (generated in `Generated/Typed.swift`). A value of the wrong shape,
/// size or width gives `nil`: the field is then unknown, as if the source had not given it.
public enum PartialValue {
    /// A number, or bytes no wider than the type read big-endian (a log may print a
    /// `byte` field such as `channel_flags` as hex).
    public static func unsigned<T: FixedWidthInteger & UnsignedInteger>(_ value: FieldValue?, _: T.Type) -> T? {
        switch value {
        case let .unsigned(number):
            return T(exactly: number)
        case let .bytes(bytes) where !bytes.isEmpty && bytes.count <= MemoryLayout<T>.size:
            return bytes.reduce(0) { $0 << 8 | T($1) }
        default:
            return nil
        }
    }

    public static func signed(_ value: FieldValue?) -> Int64? {
        switch value {
        case let .signed(number): number
        case let .unsigned(number): Int64(exactly: number)
        default: nil
        }
    }

    public static func bytes(_ value: FieldValue?) -> [UInt8]? {
        if case let .bytes(bytes) = value { return bytes }
        return nil
    }

    public static func fixed<T: FixedSizeBytes>(_ value: FieldValue?, _: T.Type) -> T? {
        if case let .bytes(bytes) = value { return T(bytes) }
        return nil
    }

    public static func shortChannelID(_ value: FieldValue?) -> ShortChannelID? {
        if case let .shortChannelID(id) = value { return id }
        return nil
    }

    /// A list whose every item converts (`nil` if any does not).
    public static func list<T>(_ value: FieldValue?, _ item: (FieldValue?) -> T?) -> [T]? {
        guard case let .array(items) = value else { return nil }
        var out: [T] = []
        out.reserveCapacity(items.count)
        for element in items {
            guard let converted = item(element) else { return nil }
            out.append(converted)
        }
        return out
    }
}

extension MessageContent {
    /// The message's kind: by its type number, or by the name a log gave it; `nil` for a
    /// type this codec does not know.
    public var kind: MessageKind? {
        if case let .partial(message) = self { return message.kind }
        return type.flatMap(MessageKind.init(rawValue:))
    }
}
