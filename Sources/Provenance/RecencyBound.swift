/// Keeps a table with one entry per channel (or connection) to a bounded size: it tracks
/// which keys were used most recently, and once more than `limit` are tracked, hands back
/// the least recently used quarter for the caller to drop.
///
/// A trace may name any number of channels; the tables that follow them must not grow with
/// it (README "Limits"). One sort per `limit / 4` new keys keeps the cost amortised
/// logarithmic. Use order alone decides what is dropped, so a run is repeatable.
public struct RecencyBound<Key: Hashable> {
    public let limit: Int
    private var last: [Key: Int] = [:]
    private var clock = 0
    /// The key used last: using it again changes no order, which is most uses (a trace
    /// tends to stay on one channel).
    private var latest: Key?

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Keys tracked.
    public var count: Int { last.count }

    /// Marks `key` used now; returns the keys to drop (never `key` itself).
    public mutating func use(_ key: Key) -> [Key] {
        if key == latest { return [] }
        latest = key
        clock += 1
        last[key] = clock
        guard last.count > limit else { return [] }
        let victims = last.sorted { $0.value < $1.value }.prefix(max(1, limit / 4)).map(\.key)
        for victim in victims { last[victim] = nil }
        return victims
    }

    /// Stops tracking `key`.
    public mutating func remove(_ key: Key) {
        last[key] = nil
        if key == latest { latest = nil }
    }
}
