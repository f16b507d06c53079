/// A value kept out of line, behind one immutable reference: copying its holder copies the
/// reference, and a write replaces it (copy on write).
///
/// For the large parts of ``ChannelModel`` written once in a channel's life (the opening's
/// parameters, the `channel_reestablish` fields): the engine copies a channel's model for
/// the rules on every message, and hazard analysis copies it to replay.
@propertyWrapper
public struct Indirect<Value: Sendable>: Sendable {
    private final class Box: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box

    public init(wrappedValue: Value) {
        box = Box(wrappedValue)
    }

    public var wrappedValue: Value {
        _read { yield box.value }
        set { box = Box(newValue) }
    }
}
