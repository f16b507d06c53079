import Provenance

/// What wrapped a node's log lines on their way to lntrace: a service manager, a container
/// runtime, a CI runner, a test harness, a paste into an issue. Each adds a prefix to every
/// line; ``Unwrapper`` removes them and keeps what they tell (a time, the name of the node).
/// Documentation/log-formats.md describes each shape.
public struct LogWrappers: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `journalctl` (short, short-precise, short-iso, short-iso-precise, short-full,
    /// short-unix) and syslog files: `Dec 06 12:00:00 host lnd[812]: `.
    public static let journald = LogWrappers(rawValue: 1 << 0)
    /// RFC 3164 and RFC 5424 syslog records, with their `<PRI>`.
    public static let syslog = LogWrappers(rawValue: 1 << 1)
    /// `docker compose logs`: `lnd-1  | `.
    public static let compose = LogWrappers(rawValue: 1 << 2)
    /// An RFC 3339 time in UTC before the line: `docker logs -t`, `kubectl logs --timestamps`,
    /// GitHub Actions.
    public static let timestamps = LogWrappers(rawValue: 1 << 3)
    /// The Kubernetes CRI log format: `2026-12-06T12:00:00.123456789Z stdout F `.
    public static let kubernetes = LogWrappers(rawValue: 1 << 4)
    /// `kubectl logs --prefix`: `[pod/lnd-0/lnd] `.
    public static let kubectlPrefix = LogWrappers(rawValue: 1 << 5)
    /// GitLab runner timestamps: `2026-12-06T12:00:00.123456Z 00O `.
    public static let gitlab = LogWrappers(rawValue: 1 << 6)
    /// A test harness naming the node: `lightningd-2: `.
    public static let harness = LogWrappers(rawValue: 1 << 7)
    /// Line numbers: `grep -n`, `cat -n`, an editor's gutter.
    public static let lineNumbers = LogWrappers(rawValue: 1 << 8)
    /// A Markdown quote or indentation, as in an issue.
    public static let markdown = LogWrappers(rawValue: 1 << 9)
    /// Terminal colours (ANSI escape sequences).
    public static let ansi = LogWrappers(rawValue: 1 << 10)
    /// A prefix lntrace does not know, before a line it does.
    public static let unknownPrefix = LogWrappers(rawValue: 1 << 11)
    /// A mobile app's logger around LDK lines: `| 12:00:00.123 | LogLevel.INFO | `.
    public static let mobile = LogWrappers(rawValue: 1 << 12)
    /// A JSON record per line (docker's json-file driver `{"log":"…"}`, structured loggers
    /// `{"message":"…"}`), or key=value fields (`raw_log="…"`), or a Python bytes literal.
    public static let structured = LogWrappers(rawValue: 1 << 13)

    static let all: [(LogWrappers, String)] = [
        (.journald, "journald"), (.syslog, "syslog"), (.compose, "docker-compose"), (.timestamps, "timestamps"),
        (.kubernetes, "kubernetes"), (.kubectlPrefix, "kubectl-prefix"), (.gitlab, "gitlab"), (.harness, "test-harness"),
        (.lineNumbers, "line-numbers"), (.markdown, "markdown"), (.ansi, "ansi"), (.unknownPrefix, "unknown-prefix"),
        (.mobile, "mobile"), (.structured, "structured"),
    ]

    /// The wrappers' names, outermost kinds first (`journald`, `docker-compose`, …).
    public var names: [String] { Self.all.filter { contains($0.0) }.map(\.1) }
}

/// A log line with its wrappers removed.
public struct Envelope {
    /// The implementation's line.
    public var body: ArraySlice<UInt8>
    public var wrappers: LogWrappers = []
    /// The name a wrapper gives the writer (a compose service, a syslog identifier, a
    /// harness's node name), if any.
    public var source: ArraySlice<UInt8>?
    /// The wrapper's time, and its text.
    public var time: Timestamp?
    public var timeText: ArraySlice<UInt8>?
}

/// Removes wrappers from log lines, line by line.
///
/// Wrappers nest (GitHub Actions around `docker compose logs`, journald around docker), so
/// the known prefixes are removed from the outside in until the line starts with something
/// that is not a wrapper. A leading RFC 3339 time is only a wrapper when what follows is not
/// the rest of a Core Lightning line, whose own timestamp has that shape. Kubernetes splits
/// long lines into partial CRI records (`P`); they are joined again, under the first one's
/// line number.
public struct Unwrapper {
    /// Syslog and journald `short` times have no year: it is taken from this time (the
    /// file's modification time, or now), or the year before when that would put the line
    /// in the future.
    public var referenceTime: Int64 { reference.time }
    let reference: Reference
    /// Names a test harness put before lines: once seen before a timestamped line, also
    /// removed before the lines that continue it.
    private var harnessNames: [[UInt8]] = []
    private var joined: [UInt8] = []
    private var joinedLine: Int?
    private var scratch: [UInt8] = []

    public init(referenceTime: Int64) {
        self.reference = Reference(time: referenceTime, year: Int(Timestamp.civilYear(referenceTime)))
    }

    /// The line without its wrappers; `nil` for a partial CRI record held until its end.
    public mutating func unwrap(_ line: LineReader.Line) -> (number: Int, envelope: Envelope)? {
        var envelope = Envelope(body: line.bytes)
        var number = line.number
        if line.number == 1, envelope.body.starts(with: [0xEF, 0xBB, 0xBF]) { envelope.body = envelope.body.dropFirst(3) }
        if LogText.contains(byte: 0x1B, in: envelope.body) {
            scratch = Self.withoutEscapes(envelope.body)
            envelope.body = scratch[...]
            envelope.wrappers.insert(.ansi)
        }
        for _ in 0..<6 {
            let first = envelope.body.first
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "b"),
                let (text, time, timeText) = Structured.text(envelope.body)
            {
                scratch = text
                envelope.body = scratch[...]
                envelope.wrappers.insert(.structured)
                if envelope.time == nil, let time {
                    envelope.time = time
                    envelope.timeText = timeText
                }
                continue
            }
            guard let step = Self.strip(envelope.body, reference: reference) ?? knownHarness(envelope.body) else { break }
            if step.wrapper == .harness, let name = step.source, !harnessNames.contains(where: { name.elementsEqual($0) }), harnessNames.count < 64 {
                harnessNames.append(Array(name))
            }
            envelope.wrappers.insert(step.wrapper)
            if let name = step.source, envelope.source == nil { envelope.source = name }
            if let time = step.time, envelope.time == nil {
                envelope.time = time
                envelope.timeText = step.timeText
            }
            envelope.body = envelope.body[step.rest...]
            // A partial CRI record: keep its text until the record that ends the line.
            if step.partial != nil {
                if joinedLine == nil { joinedLine = line.number }
                joined.append(contentsOf: envelope.body)
                if joined.count > LineReader.defaultMaximumLineLength { joined.removeLast(joined.count - LineReader.defaultMaximumLineLength) }
                return nil
            }
            if step.wrapper == .kubernetes, let first = joinedLine {
                joined.append(contentsOf: envelope.body)
                scratch = joined
                joined.removeAll(keepingCapacity: true)
                joinedLine = nil
                number = first
                // The rest of the joined line may itself be wrapped.
                envelope.body = scratch[...]
            }
        }
        return (number, envelope)
    }

    /// `name: ` of a harness seen before, before any text.
    func knownHarness(_ b: ArraySlice<UInt8>) -> Step? {
        for name in harnessNames where b.starts(with: name) {
            let i = b.startIndex + name.count
            if i + 1 < b.endIndex, b[i] == UInt8(ascii: ":"), b[i + 1] == 0x20 {
                return Step(wrapper: .harness, rest: i + 2, source: b[b.startIndex..<i])
            }
        }
        return nil
    }

    /// A held partial CRI record at the end of input.
    public mutating func finish() -> (number: Int, envelope: Envelope)? {
        guard let first = joinedLine else { return nil }
        scratch = joined
        joined.removeAll()
        joinedLine = nil
        return (first, Envelope(body: scratch[...], wrappers: .kubernetes))
    }

    /// One wrapper removed from the front of `b`.
    struct Step {
        var wrapper: LogWrappers
        var rest: Int
        var source: ArraySlice<UInt8>? = nil
        var time: Timestamp? = nil
        var timeText: ArraySlice<UInt8>? = nil
        /// A CRI partial record (`P`).
        var partial: Bool? = nil
    }

    static func strip(_ b: ArraySlice<UInt8>, reference: Reference) -> Step? {
        guard let first = b.first else { return nil }
        let s = b.startIndex
        switch first {
        case 0x20, 0x09:
            // Indentation (a Markdown code block, a quote's continuation).
            let rest = b.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? b.endIndex
            if rest == b.endIndex { return nil }
            return Step(wrapper: rest - s >= 4 || first == 0x09 ? .markdown : [], rest: rest)
        case UInt8(ascii: ">"):
            // A Markdown quote: "> text" (nested: "> > text").
            var i = s + 1
            if i < b.endIndex, b[i] == 0x20 { i += 1 }
            return Step(wrapper: .markdown, rest: i)
        case UInt8(ascii: "<"):
            return syslogPriority(b, reference: reference)
        case UInt8(ascii: "["):
            return kubectlPrefix(b)
        case UInt8(ascii: "|"):
            return mobile(b)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            if let iso = WrapperTime.iso(b, at: s) {
                return afterISOTime(b, iso)
            }
            if let step = lineNumber(b) { return step }
            if let (time, end) = WrapperTime.unix(b, at: s), let step = syslogTail(b, from: end, time: time, text: b[s..<end], wrapper: .journald) {
                return step
            }
            return nil
        default:
            if let (time, end) = WrapperTime.syslog(b, at: s, reference: reference) ?? WrapperTime.full(b, at: s) {
                // The identifier may be missing from an excerpt; the time is a wrapper anyway.
                return syslogTail(b, from: end, time: time, text: b[s..<end], wrapper: .journald)
                    ?? Step(wrapper: .journald, rest: skipSpaces(b, end), time: time, timeText: b[s..<end])
            }
            return named(b)
        }
    }

    /// After an RFC 3339 time at the start: a CRI record, GitLab's stream tag, a syslog
    /// host and identifier (times with an offset), a plain time prefix, or a Core Lightning
    /// line's own timestamp (not a wrapper).
    static func afterISOTime(_ b: ArraySlice<UInt8>, _ iso: (time: Timestamp, end: Int, zulu: Bool)) -> Step? {
        let text = b[b.startIndex..<iso.end]
        guard iso.end < b.endIndex, b[iso.end] == 0x20 || b[iso.end] == 0x09 else { return nil }
        let after = iso.end + 1
        let rest = b[after...]
        // CRI: "stdout F " / "stderr P ".
        if rest.starts(with: Array("stdout ".utf8)) || rest.starts(with: Array("stderr ".utf8)) {
            let tag = after + 7
            if tag < b.endIndex, b[tag] == UInt8(ascii: "F") || b[tag] == UInt8(ascii: "P"), tag + 1 == b.endIndex || b[tag + 1] == 0x20 {
                let body = min(tag + 2, b.endIndex)
                return Step(wrapper: .kubernetes, rest: body, time: iso.time, timeText: text, partial: b[tag] == UInt8(ascii: "P") ? true : nil)
            }
        }
        // GitLab: "00O " / "00E+ ".
        if rest.count >= 4, LogText.isDigit(rest[after]), LogText.isDigit(rest[after + 1]),
            rest[after + 2] == UInt8(ascii: "O") || rest[after + 2] == UInt8(ascii: "E")
        {
            var i = after + 3
            if i < b.endIndex, b[i] == UInt8(ascii: "+") { i += 1 }
            if i == b.endIndex || b[i] == 0x20 {
                return Step(wrapper: .gitlab, rest: min(i + 1, b.endIndex), time: iso.time, timeText: text)
            }
        }
        if !iso.zulu, let step = syslogTail(b, from: iso.end, time: iso.time, text: text, wrapper: .journald) { return step }
        // Core Lightning's own: milliseconds, then its level or entry prefix. Wrappers write
        // micro- to nanoseconds (docker, Kubernetes, GitHub Actions, GitLab).
        if iso.zulu, iso.end - b.startIndex == 24, b[b.startIndex + 19] == UInt8(ascii: "."), ClnShape.followsTimestamp(rest) { return nil }
        return Step(wrapper: .timestamps, rest: after, time: iso.time, timeText: text)
    }

    /// `[host ]identifier[pid]: ` after a syslog time; the identifier names the source.
    static func syslogTail(_ b: ArraySlice<UInt8>, from: Int, time: Timestamp, text: ArraySlice<UInt8>, wrapper: LogWrappers) -> Step? {
        var i = skipSpaces(b, from)
        guard i > from else { return nil }
        // Up to two tokens: the host (optional) and the identifier, which ends with ':'.
        for _ in 0..<2 {
            let start = i
            while i < b.endIndex, b[i] != 0x20, i - start < 128 { i += 1 }
            guard i > start else { return nil }
            if b[i - 1] == UInt8(ascii: ":"), i - 1 > start {
                var name = b[start..<(i - 1)]
                // "lnd[812]" → "lnd".
                if name.last == UInt8(ascii: "]"), let open = name.lastIndex(of: UInt8(ascii: "[")), open > name.startIndex {
                    name = name[..<open]
                }
                guard !ClnShape.isLevel(b[start..<(i - 1)]) else { return nil }
                return Step(wrapper: wrapper, rest: i < b.endIndex ? i + 1 : i, source: name, time: time, timeText: text)
            }
            guard !ClnShape.isLevel(b[start..<i]) else { return nil }
            i = skipSpaces(b, i)
        }
        return nil
    }

    /// `<PRI>` then an RFC 5424 record (`1 TIME HOST APP PROCID MSGID SD MSG`) or an
    /// RFC 3164 one (`Mmm dd hh:mm:ss host tag: MSG`).
    static func syslogPriority(_ b: ArraySlice<UInt8>, reference: Reference) -> Step? {
        var i = b.startIndex + 1
        while i < b.endIndex, LogText.isDigit(b[i]), i - b.startIndex <= 3 { i += 1 }
        guard i > b.startIndex + 1, i < b.endIndex, b[i] == UInt8(ascii: ">") else { return nil }
        i += 1
        if i + 1 < b.endIndex, b[i] == UInt8(ascii: "1"), b[i + 1] == 0x20 {
            // RFC 5424: TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG.
            var fields: [ArraySlice<UInt8>] = []
            var j = i + 2
            while fields.count < 5, j < b.endIndex {
                let start = j
                while j < b.endIndex, b[j] != 0x20 { j += 1 }
                fields.append(b[start..<j])
                j = min(j + 1, b.endIndex)
            }
            guard fields.count == 5 else { return nil }
            // Structured data: "-" or one or more "[…]" elements (with "\]" escapes).
            if j < b.endIndex, b[j] == UInt8(ascii: "-") {
                j += 1
            } else {
                while j < b.endIndex, b[j] == UInt8(ascii: "[") {
                    j += 1
                    while j < b.endIndex, b[j] != UInt8(ascii: "]") { j += b[j] == UInt8(ascii: "\\") ? 2 : 1 }
                    j = min(j + 1, b.endIndex)
                }
            }
            if j < b.endIndex, b[j] == 0x20 { j += 1 }
            if b[j...].starts(with: [0xEF, 0xBB, 0xBF]) { j += 3 }
            let stamp = WrapperTime.iso(fields[0], at: fields[0].startIndex)
            let app = fields[2] == [UInt8(ascii: "-")][...] ? nil : fields[2]
            return Step(wrapper: .syslog, rest: j, source: app, time: stamp?.time, timeText: stamp == nil ? nil : fields[0])
        }
        if let (time, end) = WrapperTime.syslog(b, at: i, reference: reference) {
            return syslogTail(b, from: end, time: time, text: b[i..<end], wrapper: .syslog)
                ?? Step(wrapper: .syslog, rest: skipSpaces(b, end), time: time, timeText: b[i..<end])
        }
        return Step(wrapper: .syslog, rest: i)
    }

    /// `[pod/lnd-0/lnd] ` (kubectl logs --prefix).
    static func kubectlPrefix(_ b: ArraySlice<UInt8>) -> Step? {
        guard let close = b.prefix(254).firstIndex(of: UInt8(ascii: "]")), close + 1 < b.endIndex, b[close + 1] == 0x20 else { return nil }
        let name = b[(b.startIndex + 1)..<close]
        guard name.contains(UInt8(ascii: "/")), !name.contains(0x20) else { return nil }
        return Step(wrapper: .kubectlPrefix, rest: close + 2, source: name)
    }

    /// `| 12:00:00.123 | LogLevel.INFO | lightning::…`: a mobile app's logger around LDK.
    static func mobile(_ b: ArraySlice<UInt8>) -> Step? {
        guard let level = LogText.find("| LogLevel.", in: b.prefix(96)),
            let bar = b[(level + 11)...].prefix(16).firstIndex(of: UInt8(ascii: "|"))
        else { return nil }
        return Step(wrapper: .mobile, rest: skipSpaces(b, bar + 1))
    }

    /// `12:`, `12\t`, `12 | ` or `12| ` before a line.
    static func lineNumber(_ b: ArraySlice<UInt8>) -> Step? {
        var i = b.startIndex
        while i < b.endIndex, LogText.isDigit(b[i]), i - b.startIndex < 9 { i += 1 }
        guard i > b.startIndex, i < b.endIndex else { return nil }
        switch b[i] {
        case UInt8(ascii: ":"), 0x09:
            return Step(wrapper: .lineNumbers, rest: i + 1)
        case UInt8(ascii: "|"):
            return Step(wrapper: .lineNumbers, rest: i + 1)
        case 0x20:
            // "12 | …", or an editor's gutter before a timestamped line: "   52 2017-11-27 …".
            let j = skipSpaces(b, i)
            if j < b.endIndex, b[j] == UInt8(ascii: "|") { return Step(wrapper: .lineNumbers, rest: j + 1) }
            if LogText.isDateShape(b, at: j) { return Step(wrapper: .lineNumbers, rest: j) }
            return nil
        default:
            return nil
        }
    }

    /// `lnd-1  | ` (docker compose) or `lightningd-2: ` (a test harness): a name that
    /// starts the line.
    static func named(_ b: ArraySlice<UInt8>) -> Step? {
        var i = b.startIndex
        while i < b.endIndex, i - b.startIndex < 64, Self.isNameByte(b[i]) { i += 1 }
        guard i > b.startIndex, i < b.endIndex else { return nil }
        let name = b[b.startIndex..<i]
        if b[i] == 0x20 {
            let j = skipSpaces(b, i)
            if j < b.endIndex, b[j] == UInt8(ascii: "|"), j + 1 == b.endIndex || b[j + 1] == 0x20 {
                return Step(wrapper: .compose, rest: min(j + 2, b.endIndex), source: name)
            }
            return nil
        }
        // A harness's "name: " only before a line that starts like a node's (a time or an
        // lnd level): "PEER: " inside an lnd line must stay.
        if b[i] == UInt8(ascii: ":"), i + 1 < b.endIndex, b[i + 1] == 0x20, name.count <= 32 {
            let j = i + 2
            if j < b.endIndex,
                LogText.isDigit(b[j]) || LndShape.isLevelTag(b, at: j) || b[j] == UInt8(ascii: "<") || b[j] == UInt8(ascii: "{")
                    || WrapperTime.syslog(b, at: j, reference: Reference(time: 0, year: 1970)) != nil
            {
                return Step(wrapper: .harness, rest: j, source: name)
            }
        }
        return nil
    }

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
    }

    static func skipSpaces(_ b: ArraySlice<UInt8>, _ from: Int) -> Int {
        var i = from
        while i < b.endIndex, b[i] == 0x20 || b[i] == 0x09 { i += 1 }
        return i
    }

    /// The line without ANSI escape sequences (CSI `ESC [ … final`, and two-byte escapes).
    static func withoutEscapes(_ b: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = b.startIndex
        while i < b.endIndex {
            if b[i] == 0x1B {
                i += 1
                if i < b.endIndex, b[i] == UInt8(ascii: "[") {
                    i += 1
                    while i < b.endIndex, !(b[i] >= 0x40 && b[i] <= 0x7E) { i += 1 }
                }
                i = min(i + 1, b.endIndex)
                continue
            }
            out.append(b[i])
            i += 1
        }
        return out
    }
}

/// When a log was written, for the wrappers whose times have no year.
struct Reference: Sendable {
    var time: Int64
    var year: Int
}

/// The times wrappers write.
enum WrapperTime {
    /// RFC 3339 / ISO 8601 at `at`: `2026-12-06T12:00:00[.fraction](Z|±hh[:]mm)`, in UTC.
    static func iso(_ b: ArraySlice<UInt8>, at s: Int) -> (time: Timestamp, end: Int, zulu: Bool)? {
        guard s + 20 <= b.endIndex, b[s + 10] == UInt8(ascii: "T"),
            let (date, end) = dateTime(b, at: s)
        else { return nil }
        var i = end
        var seconds = date.seconds
        guard i < b.endIndex else { return nil }
        if b[i] == UInt8(ascii: "Z") {
            return (Timestamp(seconds: seconds, nanoseconds: date.nanoseconds), i + 1, true)
        }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), i + 5 <= b.endIndex,
            let hours = LogText.number(b, at: i + 1, digits: 2)
        else { return nil }
        let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
        var j = i + 3
        if j < b.endIndex, b[j] == UInt8(ascii: ":") { j += 1 }
        guard let minutes = LogText.number(b, at: j, digits: 2) else { return nil }
        i = j + 2
        seconds -= sign * Int64(hours * 3600 + minutes * 60)
        return (Timestamp(seconds: seconds, nanoseconds: date.nanoseconds), i, false)
    }

    /// `YYYY-MM-DD?HH:MM:SS[.fraction]` at `s` (any separator at 10).
    static func dateTime(_ b: ArraySlice<UInt8>, at s: Int) -> (Timestamp, end: Int)? {
        guard s + 19 <= b.endIndex,
            let year = LogText.number(b, at: s, digits: 4), b[s + 4] == UInt8(ascii: "-"),
            let month = LogText.number(b, at: s + 5, digits: 2), b[s + 7] == UInt8(ascii: "-"),
            let day = LogText.number(b, at: s + 8, digits: 2),
            let hour = LogText.number(b, at: s + 11, digits: 2), b[s + 13] == UInt8(ascii: ":"),
            let minute = LogText.number(b, at: s + 14, digits: 2), b[s + 16] == UInt8(ascii: ":"),
            let second = LogText.number(b, at: s + 17, digits: 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        let (nanos, end) = fraction(b, at: s + 19)
        return (
            Timestamp(
                seconds: Timestamp.epochSeconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second),
                nanoseconds: nanos), end
        )
    }

    /// `.123456789` or `,123` at `i`: nanoseconds, and the end.
    static func fraction(_ b: ArraySlice<UInt8>, at i: Int) -> (Int32, Int) {
        guard i < b.endIndex, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") else { return (0, i) }
        var j = i + 1, value = 0, count = 0
        while j < b.endIndex, LogText.isDigit(b[j]) {
            if count < 9 {
                value = value * 10 + Int(b[j] - 48)
                count += 1
            }
            j += 1
        }
        guard j > i + 1 else { return (0, i) }
        for _ in count..<9 { value *= 10 }
        return (Int32(value), j)
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map { Array($0.utf8) }
    static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map { Array($0.utf8) }

    /// `Mmm dd hh:mm:ss[.ffffff]` (the day may be space-padded), with the year from
    /// `referenceTime`, or the year before when that would be more than a day ahead of it.
    static func syslog(_ b: ArraySlice<UInt8>, at s: Int, reference: Reference) -> (Timestamp, end: Int)? {
        guard s + 15 <= b.endIndex, let month = months.firstIndex(where: { b[s..<(s + 3)].elementsEqual($0) }),
            b[s + 3] == 0x20
        else { return nil }
        var i = s + 4
        if b[i] == 0x20 { i += 1 }
        var day = 0
        let dayStart = i
        while i < b.endIndex, LogText.isDigit(b[i]), i - dayStart < 2 {
            day = day * 10 + Int(b[i] - 48)
            i += 1
        }
        guard i > dayStart, (1...31).contains(day), i + 9 <= b.endIndex, b[i] == 0x20,
            let hour = LogText.number(b, at: i + 1, digits: 2), b[i + 3] == UInt8(ascii: ":"),
            let minute = LogText.number(b, at: i + 4, digits: 2), b[i + 6] == UInt8(ascii: ":"),
            let second = LogText.number(b, at: i + 7, digits: 2), hour < 24, minute < 60, second <= 60
        else { return nil }
        let (nanos, end) = fraction(b, at: i + 9)
        var seconds = Timestamp.epochSeconds(year: reference.year, month: month + 1, day: day, hour: hour, minute: minute, second: second)
        if seconds > reference.time + 86400 {
            seconds = Timestamp.epochSeconds(year: reference.year - 1, month: month + 1, day: day, hour: hour, minute: minute, second: second)
        }
        return (Timestamp(seconds: seconds, nanoseconds: nanos), end)
    }

    /// journalctl `short-full`: `Sun 2026-12-06 12:00:00 UTC` (the zone is not applied).
    static func full(_ b: ArraySlice<UInt8>, at s: Int) -> (Timestamp, end: Int)? {
        guard s + 24 <= b.endIndex, weekdays.contains(where: { b[s..<(s + 3)].elementsEqual($0) }), b[s + 3] == 0x20,
            b[s + 14] == 0x20, let (time, end) = dateTime(b, at: s + 4), end < b.endIndex, b[end] == 0x20
        else { return nil }
        var i = end + 1
        while i < b.endIndex, b[i] != 0x20 { i += 1 }
        return (time, i)
    }

    /// journalctl `short-unix`: `1733486400.123456`.
    static func unix(_ b: ArraySlice<UInt8>, at s: Int) -> (Timestamp, end: Int)? {
        var i = s, seconds: Int64 = 0
        while i < b.endIndex, LogText.isDigit(b[i]), i - s < 12 {
            seconds = seconds * 10 + Int64(b[i] - 48)
            i += 1
        }
        guard i - s >= 9, i < b.endIndex, b[i] == UInt8(ascii: ".") else { return nil }
        let (nanos, end) = fraction(b, at: i)
        guard end > i + 1, end < b.endIndex, b[end] == 0x20 else { return nil }
        return (Timestamp(seconds: seconds, nanoseconds: nanos), end)
    }
}

/// Lines a program wrote as records: JSON (`{"log":"…","time":"…"}` from docker's json-file
/// driver, `{"timestamp":…,"level":…,"fields":{"message":…,"log.target":…}}` from Rust's
/// tracing), a Python bytes literal (`b'…'`), or key=value fields
/// (`log_level=Level(Trace) module_path="…" raw_log="…"`, see ``fields(_:)``). The text is unescaped; when the record names a Rust module,
/// the line is rebuilt as LDK's usual `LEVEL [module] text`.
enum Structured {
    static func text(_ b: ArraySlice<UInt8>) -> ([UInt8], Timestamp?, ArraySlice<UInt8>?)? {
        guard let first = b.first else { return nil }
        if first == UInt8(ascii: "b"), b.count >= 3, b[b.startIndex + 1] == UInt8(ascii: "'"), b.last == UInt8(ascii: "'") {
            return (unescape(b[(b.startIndex + 2)..<(b.endIndex - 1)]), nil, nil)
        }
        if first == UInt8(ascii: "{") {
            guard let message = value(of: ["log", "message", "msg", "MESSAGE"], in: b) else { return nil }
            var text = unescape(message)
            while let last = text.last, last == 10 || last == 13 { text.removeLast() }
            var time: Timestamp?, timeText: ArraySlice<UInt8>?
            if let stamp = value(of: ["time", "timestamp", "ts", "@timestamp"], in: b), let iso = WrapperTime.iso(stamp, at: stamp.startIndex) {
                (time, timeText) = (iso.time, stamp)
            }
            if let target = value(of: ["target", "log.target", "module_path", "module"], in: b), target.contains(UInt8(ascii: ":")) {
                text = rebuilt(level: value(of: ["level", "lvl"], in: b), module: target, text: text)
            }
            return (text, time, timeText)
        }
        return nil
    }

    /// An application's key=value record around LDK's text:
    /// `… log_level=Level(Trace) module_path="lightning::ln::peer_handler" line=987 raw_log="…"`.
    static func fields(_ b: ArraySlice<UInt8>) -> ([UInt8], Timestamp?, ArraySlice<UInt8>?)? {
        guard let raw = LogText.find("raw_log=\"", in: b), raw > b.startIndex, b[raw - 1] == 0x20, let message = quoted(b, at: raw + 9) else {
            return nil
        }
        var module: ArraySlice<UInt8>?
        if let at = LogText.find(" module_path=\"", in: b[..<raw]) { module = quoted(b, at: at + 14) }
        var level: ArraySlice<UInt8>?
        if let at = LogText.find("log_level=Level(", in: b[..<raw]) { level = b[(at + 16)...].prefix { $0 != UInt8(ascii: ")") } }
        let text = unescape(message)
        return (module.map { rebuilt(level: level, module: $0, text: text) } ?? text, nil, nil)
    }

    /// `LEVEL [module] text`.
    static func rebuilt(level: ArraySlice<UInt8>?, module: ArraySlice<UInt8>, text: [UInt8]) -> [UInt8] {
        let word = level.map { Array(LogText.string($0).uppercased().utf8) } ?? Array("TRACE".utf8)
        return word + [0x20, UInt8(ascii: "[")] + module + [UInt8(ascii: "]"), 0x20] + text
    }

    /// The raw (escaped) string value of the first of `keys` in a JSON object's text.
    static func value(of keys: [String], in b: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        for key in keys {
            let needle = Array("\"\(key)\":".utf8)
            var i = b.startIndex
            while let hit = b[i...].firstRange(of: needle) {
                var j = hit.upperBound
                while j < b.endIndex, b[j] == 0x20 { j += 1 }
                if j < b.endIndex, b[j] == UInt8(ascii: "\""), let string = quoted(b, at: j + 1) { return string }
                i = hit.upperBound
            }
        }
        return nil
    }

    /// The text of a double-quoted string whose first character is at `start`, escapes kept.
    static func quoted(_ b: ArraySlice<UInt8>, at start: Int) -> ArraySlice<UInt8>? {
        var i = start
        while i < b.endIndex {
            if b[i] == UInt8(ascii: "\\") { i += 2; continue }
            if b[i] == UInt8(ascii: "\"") { return b[start..<i] }
            i += 1
        }
        return nil
    }

    /// JSON and Python escapes: `\"`, `\\`, `\n`, `\t`, `\r`, `\uXXXX`, `\xXX`, `\'`.
    static func unescape(_ b: ArraySlice<UInt8>) -> [UInt8] {
        guard b.contains(UInt8(ascii: "\\")) else { return Array(b) }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = b.startIndex
        while i < b.endIndex {
            let c = b[i]
            guard c == UInt8(ascii: "\\"), i + 1 < b.endIndex else {
                out.append(c)
                i += 1
                continue
            }
            let e = b[i + 1]
            switch e {
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "u"), UInt8(ascii: "x"):
                let digits = e == UInt8(ascii: "u") ? 4 : 2
                if i + 2 + digits <= b.endIndex, let value = UInt32(LogText.string(b[(i + 2)..<(i + 2 + digits)]), radix: 16),
                    let scalar = Unicode.Scalar(value)
                {
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    i += 2 + digits
                    continue
                }
                out.append(e)
            default: out.append(e)
            }
            i += 2
        }
        return out
    }
}
