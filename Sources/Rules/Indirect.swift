/// A value kept out of line, in a box of its own: copying its holder copies one reference,
/// and the first write after a copy copies the value (copy on write, as arrays do).
///
/// For the large parts of ``ChannelModel`` (the ledger, the opening's parameters, the
/// `channel_reestablish` fields): rules bind a copy of the model for each message, and
/// hazard analysis copies it to replay. Kept inline, their many fields would make every
/// such copy a copy of the whole model.
@propertyWrapper
public struct Indirect<Value: Sendable>: @unchecked Sendable {
    // Unchecked: the box is written only through `wrappedValue`'s `_modify`, after making
    // it unique, so no two values ever share a box that changes.
    private final class Box: @unchecked Sendable {
        @exclusivity(unchecked) var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box

    public init(wrappedValue: Value) {
        box = Box(wrappedValue)
    }

    public var wrappedValue: Value {
        _read { yield box.value }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
            yield &box.value
        }
    }
}
