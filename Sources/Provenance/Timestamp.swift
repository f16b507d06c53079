/// A point in time with nanosecond resolution: a capture's packet time or a log line's time.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since the Unix epoch (UTC).
    public var seconds: Int64
    /// Nanoseconds within the second, 0 ..< 1_000_000_000.
    public var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// A time from a second count and a nanosecond count of any size (a damaged capture's
    /// record may give more than a second's worth, or a negative count): the nanoseconds are
    /// carried into the seconds, which saturate rather than overflow.
    public init(seconds: Int64, nanosecondsCarried nanos: Int64) {
        var (carry, rest) = nanos.quotientAndRemainder(dividingBy: 1_000_000_000)
        if rest < 0 {
            rest += 1_000_000_000
            carry -= 1
        }
        let (sum, overflow) = seconds.addingReportingOverflow(carry)
        self.seconds = overflow ? (carry > 0 ? .max : .min) : sum
        self.nanoseconds = Int32(rest)
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }

    /// `b - a` in seconds.
    public func seconds(since a: Timestamp) -> Double {
        // In floating point: two hostile times may be further apart than Int64 can count.
        (Double(seconds) - Double(a.seconds)) + Double(Int64(nanoseconds) - Int64(a.nanoseconds)) / 1e9
    }

    /// Seconds since the epoch as a floating-point number (for JSON and rates).
    public var epochSeconds: Double { Double(seconds) + Double(nanoseconds) / 1e9 }

    /// RFC 3339 in UTC with nanoseconds, for example `2024-01-18T09:30:00.123456789Z`.
    public var description: String {
        let (date, time) = Timestamp.civil(seconds)
        let nanos = String(nanoseconds)
        let fraction = String(repeating: "0", count: 9 - nanos.count) + nanos
        return "\(date)T\(time).\(fraction)Z"
    }

    /// Days-from-civil inverse (Howard Hinnant's algorithm), so no Foundation formatter is
    /// needed on the hot path.
    static func civil(_ seconds: Int64) -> (String, String) {
        let seconds = clampedForCalendar(seconds)
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        var year = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        if month <= 2 { year += 1 }
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let date = "\(year)-\(two(month))-\(two(day))"
        let time = "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        return (date, time)
    }

    /// Seconds within ±10^15 (some 30 million years), where the calendar arithmetic cannot
    /// overflow: a hostile input's time is shown clamped, never trapped on.
    static func clampedForCalendar(_ seconds: Int64) -> Int64 {
        min(max(seconds, -1_000_000_000_000_000), 1_000_000_000_000_000)
    }

    /// The UTC calendar year of `seconds` since the epoch.
    public static func civilYear(_ seconds: Int64) -> Int64 {
        let seconds = clampedForCalendar(seconds)
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        return yoe + era * 400 + (mp < 10 ? 0 : 1)
    }

    /// Seconds since the epoch for a UTC civil date and time (inverse of ``civil(_:)``).
    public static func epochSeconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
    }
}

/// Where a log message's time came from.
public enum TimeSource: String, Sendable {
    /// The implementation's own timestamp.
    case node
    /// The wrapper's (journald, docker, …): the line had none of its own.
    case wrapper
}
