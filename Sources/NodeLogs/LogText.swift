#if canImport(Glibc)
    import Basics
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Provenance
import Wire

/// Byte-level helpers for log lines: fast substring search (so lines that are not wire
/// messages cost about what `grep` would), and the small parsers every format shares.
enum LogText {
    /// The offset of `needle` in `haystack`, or `nil`. Most log lines are searched for markers
    /// they do not contain, so the search skips with libc's vectorised `memchr` to the needle's
    /// least common byte, and compares the rest only there.
    @inline(__always)
    static func find(_ needle: StaticString, in haystack: ArraySlice<UInt8>, from start: Int? = nil) -> Int? {
        let from = start ?? haystack.startIndex
        return needle.withUTF8Buffer { n -> Int? in
            let count = n.count
            guard count > 0, from >= haystack.startIndex, haystack.endIndex - from >= count else { return nil }
            var k = 0
            for i in 1..<count where rarity(n[i]) > rarity(n[k]) { k = i }
            let pivot = n[k]
            return haystack.withUnsafeBufferPointer { h -> Int? in
                guard let base = h.baseAddress else { return nil }
                let origin = haystack.startIndex
                // Positions of the pivot byte that leave room for the whole needle.
                var position = from - origin + k
                let last = h.count - count + k
                while position <= last {
                    guard let hit = memchr(base + position, Int32(pivot), last - position + 1) else { return nil }
                    let at = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                    let begin = at - k
                    var matched = true
                    for j in 0..<count where base[begin + j] != n[j] {
                        matched = false
                        break
                    }
                    if matched { return origin + begin }
                    position = at + 1
                }
                return nil
            }
        }
    }

    /// How rare a byte is in log text: spaces and common lower-case letters are frequent;
    /// upper case, punctuation and brackets are not.
    @inline(__always)
    static func rarity(_ c: UInt8) -> Int {
        switch c {
        case 0x20: 0
        case UInt8(ascii: "e"), UInt8(ascii: "a"), UInt8(ascii: "t"), UInt8(ascii: "o"), UInt8(ascii: "i"), UInt8(ascii: "n"),
            UInt8(ascii: "s"), UInt8(ascii: "r"), UInt8(ascii: "h"), UInt8(ascii: "l"), UInt8(ascii: "d"), UInt8(ascii: "c"):
            1
        case 0x61...0x7A: 2
        case 0x30...0x39: 2
        case UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "-"), UInt8(ascii: "="): 3
        default: 4
        }
    }

    /// The first of `markers` (in their order) that `bytes` contains: its value, and where it
    /// starts (or, with `after`, where the text after it starts).
    static func firstMarker<Value>(_ markers: [(StaticString, Value)], in bytes: ArraySlice<UInt8>, after: Bool = false) -> (Value, Int)? {
        for (needle, value) in markers {
            if let at = find(needle, in: bytes) { return (value, after ? at + needle.utf8CodeUnitCount : at) }
        }
        return nil
    }

    /// Whether `bytes` start with `marker`.
    @inline(__always)
    static func starts<C: Collection<UInt8>>(_ bytes: C, with marker: StaticString) -> Bool {
        marker.withUTF8Buffer { bytes.starts(with: $0) }
    }

    /// Whether `byte` occurs in `haystack` (`memchr`).
    @inline(__always)
    static func contains(byte: UInt8, in haystack: ArraySlice<UInt8>) -> Bool {
        haystack.withUnsafeBufferPointer { h in
            guard let base = h.baseAddress else { return false }
            return memchr(base, Int32(byte), h.count) != nil
        }
    }

    /// `YYYY-MM-DD HH:MM:SS[.,]mmm` or `YYYY-MM-DDTHH:MM:SS.mmmZ` at `start`: the parsed time
    /// (local times are taken as UTC) and the text as written.
    static func timestamp(_ bytes: ArraySlice<UInt8>, at start: Int) -> (Timestamp, String, end: Int)? {
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= bytes.endIndex else { return nil }
            var v = 0
            for i in at..<(at + n) {
                let c = bytes[i]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard start >= bytes.startIndex, start + 19 <= bytes.endIndex,
            let year = digits(start, 4), bytes[start + 4] == 45, let month = digits(start + 5, 2),
            bytes[start + 7] == 45, let day = digits(start + 8, 2),
            bytes[start + 10] == 32 || bytes[start + 10] == 84,
            let hour = digits(start + 11, 2), let minute = digits(start + 14, 2), let second = digits(start + 17, 2),
            bytes[start + 13] == 58, bytes[start + 16] == 58
        else { return nil }
        var end = start + 19
        var nanos: Int32 = 0
        if end < bytes.endIndex, bytes[end] == 46 || bytes[end] == 44 {
            var fraction = 0, count = 0
            var i = end + 1
            while i < bytes.endIndex, bytes[i] >= 48, bytes[i] <= 57, count < 9 {
                fraction = fraction * 10 + Int(bytes[i] - 48)
                count += 1
                i += 1
            }
            for _ in count..<9 { fraction *= 10 }
            nanos = Int32(fraction)
            end = i
        }
        if end < bytes.endIndex, bytes[end] == 90 { end += 1 }  // Z
        let seconds = Timestamp.epochSeconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        return (Timestamp(seconds: seconds, nanoseconds: nanos), text, end)
    }

    /// Finds the first timestamp within the first `window` bytes (after a syslog or app prefix).
    static func firstTimestamp(_ bytes: ArraySlice<UInt8>, window: Int = 64) -> (Timestamp, String, end: Int)? {
        var i = bytes.startIndex
        let limit = min(bytes.endIndex - 19, bytes.startIndex + window)
        while i <= limit {
            if bytes[i] >= 48 && bytes[i] <= 57, let found = timestamp(bytes, at: i) { return found }
            i += 1
        }
        return nil
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    /// The decimal number of `digits` digits at `at`.
    static func number(_ b: ArraySlice<UInt8>, at: Int, digits: Int) -> Int? {
        guard at >= b.startIndex, at + digits <= b.endIndex else { return nil }
        var value = 0
        for i in at..<(at + digits) {
            guard isDigit(b[i]) else { return nil }
            value = value * 10 + Int(b[i] - 48)
        }
        return value
    }

    /// Whether `YYYY-MM-DD?HH:MM:SS` (any separator at 10) starts at `p`: a cheap shape test.
    static func isDateShape(_ b: ArraySlice<UInt8>, at p: Int) -> Bool {
        guard p >= b.startIndex, p + 19 <= b.endIndex, b[p + 4] == 45, b[p + 7] == 45, b[p + 13] == 58, b[p + 16] == 58 else { return false }
        return isDigit(b[p]) && isDigit(b[p + 1]) && isDigit(b[p + 2]) && isDigit(b[p + 3]) && isDigit(b[p + 5]) && isDigit(b[p + 6])
            && isDigit(b[p + 8]) && isDigit(b[p + 9]) && isDigit(b[p + 11]) && isDigit(b[p + 12]) && isDigit(b[p + 14])
            && isDigit(b[p + 15]) && isDigit(b[p + 17]) && isDigit(b[p + 18])
    }

    /// A message's time: the line's own timestamp, else its wrapper's.
    static func stamp(_ own: (Timestamp, String, end: Int)?, _ line: LineReader.Line) -> Stamp? {
        if let own { return Stamp(time: own.0, text: own.1, source: .node) }
        guard let time = line.wrapperTime else { return nil }
        return Stamp(time: time, text: line.wrapperTimeText.map { string($0) }, source: .wrapper)
    }

    /// Whether `count` hex digits start at `at`.
    static func isHexRun(_ bytes: ArraySlice<UInt8>, at: Int, count: Int) -> Bool {
        guard at >= bytes.startIndex, at + count <= bytes.endIndex else { return false }
        for i in at..<(at + count) where !Hex.isDigit(bytes[i]) { return false }
        return true
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `bytes` are exactly `text`.
    static func equals(_ bytes: ArraySlice<UInt8>, _ text: StaticString) -> Bool {
        text.withUTF8Buffer { bytes.elementsEqual($0) }
    }

    /// The offset of the last `needle` in `haystack`, or `nil`.
    static func findLast(_ needle: StaticString, in haystack: ArraySlice<UInt8>) -> Int? {
        needle.withUTF8Buffer { n -> Int? in
            guard !n.isEmpty, haystack.count >= n.count else { return nil }
            var start = haystack.endIndex - n.count
            while start >= haystack.startIndex {
                if haystack[start] == n[0], haystack[start..<(start + n.count)].elementsEqual(n) { return start }
                start -= 1
            }
            return nil
        }
    }

    /// A decimal number of digits only (no sign, no spaces) that fits `V`; `nil` otherwise.
    static func decimal<V: FixedWidthInteger & UnsignedInteger>(_ bytes: some Collection<UInt8>) -> V? {
        guard !bytes.isEmpty else { return nil }
        var value: V = 0
        for byte in bytes {
            guard isDigit(byte) else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(V(byte - 48))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return value
    }
}

/// Builds a ``PartialMessage`` from the fields a log line gives, straight into their typed
/// properties (``TypedMessage``). A field the message does not have, or a value that does not
/// fit its type, is left unknown, as if the line had not given it.
struct PartialBuilder {
    var message: PartialMessage

    init(kind: MessageKind) {
        message = PartialMessage(kind: kind)
    }

    init(type: UInt16) {
        message = PartialMessage(type: type)
    }

    /// By spec name (the dialect tables name messages as the spec does).
    init(name: String) {
        message = PartialMessage(type: nil, name: name)
    }

    var kind: MessageKind? { message.kind }

    mutating func set<V>(_ field: WritableKeyPath<TypedMessage, V?>, _ value: V?) {
        guard let value else { return }
        message.typed[keyPath: field] = value
    }

    /// A fixed-size field (`Point`, `ChannelID`, `SHA256Hash`, …) from hex of exactly its size.
    mutating func hex<V: FixedSizeBytes>(_ field: WritableKeyPath<TypedMessage, V?>, _ text: Substring?) {
        guard let text, text.utf8.count == 2 * V.size, let bytes = Hex.decode(text) else { return }
        set(field, V(bytes))
    }

    /// A byte-string field from hex (of `count` bytes, when given).
    mutating func hex(_ field: WritableKeyPath<TypedMessage, [UInt8]?>, _ text: Substring?, count: Int? = nil) {
        guard let text, count == nil || text.utf8.count == 2 * (count ?? 0), let bytes = Hex.decode(text) else { return }
        set(field, bytes)
    }

    /// A number field from decimal text that fits its width.
    mutating func unsigned<V: FixedWidthInteger & UnsignedInteger>(_ field: WritableKeyPath<TypedMessage, V?>, _ text: Substring?) {
        guard let text, let value = V(text) else { return }
        set(field, value)
    }

    /// A fixed-size field from the bytes of its hex, of exactly its size.
    mutating func hex<V: FixedSizeBytes>(_ field: WritableKeyPath<TypedMessage, V?>, _ text: ArraySlice<UInt8>?) {
        guard let text, text.count == 2 * V.size, let bytes = Hex.decode(utf8: text) else { return }
        set(field, V(bytes))
    }

    /// A byte-string field from the bytes of its hex (of `count` bytes, when given).
    mutating func hex(_ field: WritableKeyPath<TypedMessage, [UInt8]?>, _ text: ArraySlice<UInt8>?, count: Int? = nil) {
        guard let text, count == nil || text.count == 2 * (count ?? 0), let bytes = Hex.decode(utf8: text) else { return }
        set(field, bytes)
    }

    /// A number field from the bytes of its decimal text, digits only, that fits its width.
    mutating func unsigned<V: FixedWidthInteger & UnsignedInteger>(_ field: WritableKeyPath<TypedMessage, V?>, _ text: ArraySlice<UInt8>?) {
        set(field, text.flatMap { LogText.decimal($0) })
    }

    /// The channel a line's context names (not one of the message's fields), unless a field
    /// already gave it: the `temporary_channel_id` of a message that opens a channel, else its
    /// `channel_id`, else (a message without either) kept beside the fields.
    mutating func inChannel(_ id: ChannelID?) {
        guard let id, message.typed.channelID == nil, message.typed.temporaryChannelID == nil else { return }
        switch kind {
        case .openChannel, .acceptChannel, .openChannel2, .acceptChannel2, .fundingCreated:
            set(\.temporaryChannelID, id)
        default:
            set(\.channelID, id)
        }
        if message.typed.channelID == nil, message.typed.temporaryChannelID == nil { message.channel = id }
    }

    /// A field by its spec name, for the dialect tables that name fields as the spec does
    /// (shared with `lntrace synth`'s writer). The name is matched once, in generated code.
    mutating func set(named name: String, _ value: FieldValue?) {
        guard let value else { return }
        _ = message.typed.set(named: name, value)
    }

    /// A one-field TLV record by its spec names (`blinded_path`, `path_key`).
    mutating func setRecord(named record: String, field: String, _ value: FieldValue?) {
        guard let value else { return }
        _ = message.typed.setRecord(named: record, .record([WireField(field, value)]))
    }
}

extension Substring {
    /// The last occurrence of an ASCII needle, by bytes (no Foundation bridging).
    func lastRange(of needle: String) -> Range<Substring.Index>? {
        let n = Array(needle.utf8)
        let u = utf8
        guard u.count >= n.count, let last = n.last else { return nil }
        var end = u.endIndex
        while end > u.startIndex {
            guard let hit = u[u.startIndex..<end].lastIndex(of: last) else { return nil }
            let start = u.index(hit, offsetBy: -(n.count - 1), limitedBy: u.startIndex)
            if let start, u[start...hit].elementsEqual(n) {
                return start..<u.index(after: hit)
            }
            end = hit
        }
        return nil
    }

    /// The first occurrence of an ASCII needle, by bytes.
    func firstRange(ofASCII needle: String) -> Range<Substring.Index>? {
        let n = Array(needle.utf8)
        let u = utf8
        guard let first = n.first else { return nil }
        var start = u.startIndex
        while let hit = u[start...].firstIndex(of: first) {
            guard let end = u.index(hit, offsetBy: n.count, limitedBy: u.endIndex) else { return nil }
            if u[hit..<end].elementsEqual(n) { return hit..<end }
            start = u.index(after: hit)
        }
        return nil
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        // On the UTF-8 bytes: spaces and tabs in front, also carriage returns behind.
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
            let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0d }), first <= last
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
