import Basics
import Foundation
import Provenance
import Trace

/// Fitting report lines to a width: visible characters only (colour codes take no room).
enum TextFit {
    /// The columns of the terminal behind `fd` (`COLUMNS` wins, as for `ls`), or `nil` when
    /// it is not a terminal.
    static func terminalColumns(_ fd: Int32) -> Int? {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        guard isatty(fd) == 1 else { return nil }
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// How many columns `text` takes: characters outside ANSI escape sequences.
    static func visibleWidth(_ text: String) -> Int {
        var count = 0
        var escape = false
        for scalar in text.unicodeScalars {
            if escape {
                if scalar == "m" { escape = false }
            } else if scalar == "\u{1B}" {
                escape = true
            } else {
                count += 1
            }
        }
        return count
    }

    /// `text` cut to `width` columns, ending in `…` when cut (a table row, a context line).
    static func truncate(_ text: String, width: Int) -> String {
        guard visibleWidth(text) > width, width > 1 else { return text }
        var out = ""
        var count = 0
        var escape = false
        var colored = false
        for scalar in text.unicodeScalars {
            if escape {
                out.unicodeScalars.append(scalar)
                if scalar == "m" { escape = false }
                continue
            }
            if scalar == "\u{1B}" {
                escape = true
                colored = true
                out.unicodeScalars.append(scalar)
                continue
            }
            if count == width - 1 { break }
            out.unicodeScalars.append(scalar)
            count += 1
        }
        return out + "…" + (colored ? "\u{1B}[0m" : "")
    }

    /// `text` broken at spaces into lines of at most `width` columns; lines after the first
    /// start with `indent`. A word longer than a line (a hex string) stays whole.
    static func wrap(_ text: String, width: Int, indent: String) -> [String] {
        guard visibleWidth(text) > width else { return [text] }
        let lead = String(text.prefix { $0 == " " })
        let words = text.dropFirst(lead.count).split(separator: " ", omittingEmptySubsequences: false)
        var lines: [String] = []
        var line = lead
        var used = lead.count
        var empty = true
        for word in words {
            let size = visibleWidth(String(word))
            if !empty && used + 1 + size > width {
                lines.append(line)
                line = indent + word
                used = indent.count + size
                continue
            }
            line += (empty ? "" : " ") + word
            used += (empty ? 0 : 1) + size
            empty = false
        }
        lines.append(line)
        return lines
    }
}

extension TextFit {
    /// 7115 → "7,115".
    static func grouping(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    /// A long hex id (channel id, node id) as `1758a2b3…f29f`; anything else (an endpoint, a
    /// label, an alias) whole: only hex is cut, never a word.
    static func short(_ id: String) -> String {
        guard id.count > 16, id.utf8.allSatisfy(Hex.isDigit) else { return id }
        return id.prefix(8) + "…" + id.suffix(4)
    }
}

extension TextStyle {
    /// The width of the terminal on standard output, or ``defaultWidth``.
    public static var outputWidth: Int { TextFit.terminalColumns(STDOUT_FILENO) ?? defaultWidth }
}

/// How text output shows a message's time (`--time`, as tshark's `-t`).
public enum TimeMode: String, Sendable, CaseIterable {
    /// The time the source gives (UTC).
    case absolute
    /// Seconds since the input's first message with a time.
    case relative
    /// Seconds since the message on the line before.
    case delta
}

/// The time column of text output, under a ``TimeMode``.
struct TimeColumn {
    var mode: TimeMode = .absolute
    /// The input's first time (relative) and the previous line's (delta).
    private(set) var first: Timestamp?
    var previous: Timestamp?

    init(_ mode: TimeMode) { self.mode = mode }

    /// Notes a message of the input (its first time starts `relative`).
    mutating func saw(_ event: MessageEvent) {
        if first == nil, let time = event.time { first = time }
    }

    /// Starts a new input.
    mutating func reset() {
        first = nil
        previous = nil
    }

    /// The column for `event`, and `event` becomes the previous line.
    mutating func text(_ event: MessageEvent) -> String? {
        guard let time = event.time else { return event.timeText }
        defer { previous = time }
        switch mode {
        case .absolute:
            return time.description
        case .relative:
            return Self.seconds(time.seconds(since: first ?? time), sign: false)
        case .delta:
            // The input's first message starts at +0, as in tshark; a line after a gap has no delta.
            guard let previous else { return time == first ? Self.seconds(0, sign: true) : "—" }
            return Self.seconds(time.seconds(since: previous), sign: true)
        }
    }

    /// `12.345678`, `+0.000120` (seconds, to the microsecond).
    static func seconds(_ value: Double, sign: Bool) -> String {
        let micros = Int64((value * 1_000_000).rounded())
        let magnitude = abs(micros)
        let fraction = String(magnitude % 1_000_000)
        let text = "\(magnitude / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
        return (micros < 0 ? "-" : sign ? "+" : "") + text
    }
}
