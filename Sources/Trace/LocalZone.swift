import Foundation
import Provenance

/// The zone a log's local times are in (`--tz`): lnd, eclair, journald's `short` and most
/// LDK applications write wall-clock times without a zone, which are otherwise taken as UTC.
/// A zone the line states (Core Lightning's `Z`, an RFC 3339 offset) always wins.
public struct LocalZone: Sendable {
    let zone: TimeZone

    /// `Europe/Zurich`, `CET`, `UTC`, `+01:00`, `-0500`, `UTC+2`.
    public init?(_ name: String) {
        var text = name.trimmingCharacters(in: .whitespaces)
        if text.uppercased().hasPrefix("UTC"), text.count > 3 { text = String(text.dropFirst(3)) }
        if let first = text.first, first == "+" || first == "-" {
            let digits = text.dropFirst().filter(\.isNumber)
            guard !digits.isEmpty, digits.count <= 4, let value = Int(digits) else { return nil }
            let (hours, minutes) = digits.count <= 2 ? (value, 0) : (value / 100, value % 100)
            guard hours <= 14, minutes < 60, let zone = TimeZone(secondsFromGMT: (first == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)) else {
                return nil
            }
            self.zone = zone
            return
        }
        guard let zone = TimeZone(identifier: text) ?? TimeZone(abbreviation: text.uppercased()) else { return nil }
        self.zone = zone
    }

    /// A wall-clock time read as if it were UTC, moved to UTC (daylight saving applied).
    func utc(_ local: Timestamp) -> Timestamp {
        let guess = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local.seconds)))
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local.seconds - Int64(guess))))
        return Timestamp(seconds: local.seconds - Int64(offset), nanoseconds: local.nanoseconds)
    }

    /// Whether a time as written states its zone: `…Z`, `…+01:00`, `…-0500`, `… +0100 CET`.
    static func statesZone(_ text: String) -> Bool {
        if text.hasSuffix("Z") { return true }
        let tail = Array(text.utf8.suffix(6))
        guard let sign = tail.lastIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }) else { return false }
        let rest = tail[(sign + 1)...].filter { $0 != UInt8(ascii: ":") }
        return rest.count == 4 && rest.allSatisfy { $0 >= 48 && $0 <= 57 } && text.utf8.count > 16
    }

    /// The message's time, in UTC when it was written in this zone without saying so.
    func apply(_ time: Timestamp?, text: String?) -> Timestamp? {
        guard let time, let text, !Self.statesZone(text) else { return time }
        return utc(time)
    }
}
