import Basics

extension Array where Element == UInt8 {
    /// Bytes from hex (either case); `nil` if the text is not hex (``Hex/decode(_:)``).
    public init?(hexString: String) {
        guard let bytes = Hex.decode(hexString) else { return nil }
        self = bytes
    }
}
