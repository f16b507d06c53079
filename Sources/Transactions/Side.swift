/// One of a channel's two sides (BOLT #2: the two nodes of a channel, each with its own
/// commitment transaction).
///
/// A model names its sides in the order it learns them, not by vantage: the rules' channel
/// model in the order the nodes first appear in the trace (a trace may be recorded at
/// either node, or between them), a scenario's in the order of `open_channel` (the opener
/// first). BOLT #3's "local" and "remote" are relative to a commitment's owner: the owner is
/// a `Side`, and "remote" its ``other``.
public enum Side: Int, Sendable, Hashable, CaseIterable, Comparable {
    case first = 0
    case second = 1

    /// The peer of this side.
    @inlinable public var other: Side {
        switch self {
        case .first: .second
        case .second: .first
        }
    }

    /// The side at `index` (0 or 1); `nil` for any other number.
    @inlinable public init?(index: Int) {
        self.init(rawValue: index)
    }

    /// The side's number (0 or 1), as reports and JSON count them.
    @inlinable public var index: Int { rawValue }

    @inlinable public static func < (a: Side, b: Side) -> Bool { a.rawValue < b.rawValue }

    // Spelt out so that other modules inline them (the models compare sides on every message).
    @inlinable public static func == (a: Side, b: Side) -> Bool { a.rawValue == b.rawValue }

    @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}

/// A value for each side of a channel, read and written by ``Side``.
///
/// Two stored values rather than an array: no allocation, no index out of range, and a
/// write through ``subscript(_:)`` changes the value in place.
public struct PerSide<Value> {
    public var first: Value
    public var second: Value

    @inlinable public init(_ first: Value, _ second: Value) {
        self.first = first
        self.second = second
    }

    /// The same value for both sides.
    @inlinable public init(repeating value: Value) {
        self.init(value, value)
    }

    /// Each side's value computed from the side.
    @inlinable public init(_ make: (Side) throws -> Value) rethrows {
        self.init(try make(.first), try make(.second))
    }

    @inlinable public subscript(side: Side) -> Value {
        get {
            switch side {
            case .first: first
            case .second: second
            }
        }
        _modify {
            switch side {
            case .first: yield &first
            case .second: yield &second
            }
        }
    }

    @inlinable public func map<T>(_ transform: (Value) throws -> T) rethrows -> PerSide<T> {
        PerSide<T>(try transform(first), try transform(second))
    }

    @inlinable public func allSatisfy(_ predicate: (Value) throws -> Bool) rethrows -> Bool {
        try predicate(first) && predicate(second)
    }

    @inlinable public func contains(where predicate: (Value) throws -> Bool) rethrows -> Bool {
        try predicate(first) || predicate(second)
    }

    /// The two values, first side first.
    @inlinable public var both: [Value] { [first, second] }
}

extension PerSide: Sendable where Value: Sendable {}
extension PerSide: Equatable where Value: Equatable {}
extension PerSide: Hashable where Value: Hashable {}

extension PerSide where Value: Equatable {
    @inlinable public func contains(_ value: Value) -> Bool { first == value || second == value }
}
