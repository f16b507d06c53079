/// Reads a serialized Bitcoin transaction, legacy or segwit (BIP 144: a zero marker and a
/// non-zero flag after the version, witnesses before the locktime), far enough to give its
/// outputs, and checks that the bytes are exactly one transaction. Interactive transaction
/// construction sends each input's whole previous transaction (`prevtx` of `tx_add_input`,
/// BOLT #2): its outputs give the spent script and amount.
public enum TransactionReader {
    /// Why bytes are not one transaction.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case truncated(at: Int)
        case trailingBytes(Int)
        case noInputs
        case noOutputs

        public var description: String {
            switch self {
            case let .truncated(at): "it ends inside a field at byte \(at)"
            case let .trailingBytes(count): "\(count) bytes follow its locktime"
            case .noInputs: "it has no inputs"
            case .noOutputs: "it has no outputs"
            }
        }
    }

    /// The transaction's outputs, in order.
    public static func outputs(of bytes: [UInt8]) throws(Problem) -> [Transaction.Output] {
        var reader = Reader(bytes: bytes)
        try reader.skip(4)  // version
        var segwit = false
        if reader.remaining >= 2, bytes[reader.at] == 0, bytes[reader.at + 1] != 0 {
            segwit = true
            try reader.skip(2)
        }
        let inputCount = try reader.count(minimumSize: 41)
        guard inputCount > 0 else { throw .noInputs }
        for _ in 0..<inputCount {
            try reader.skip(36)  // outpoint
            try reader.skip(try reader.count(minimumSize: 1))  // scriptSig
            try reader.skip(4)  // sequence
        }
        let outputCount = try reader.count(minimumSize: 9)
        guard outputCount > 0 else { throw .noOutputs }
        var outputs: [Transaction.Output] = []
        outputs.reserveCapacity(outputCount)
        for _ in 0..<outputCount {
            let value = try reader.uint64()
            let script = try reader.bytes(try reader.count(minimumSize: 1))
            outputs.append(Transaction.Output(value: value, script: script))
        }
        if segwit {
            for _ in 0..<inputCount {
                for _ in 0..<(try reader.count(minimumSize: 1)) { try reader.skip(try reader.count(minimumSize: 1)) }
            }
        }
        try reader.skip(4)  // locktime
        guard reader.remaining == 0 else { throw .trailingBytes(reader.remaining) }
        return outputs
    }

    /// Whether `script` is a witness program: a 1-byte push opcode for 0 to 16 (`OP_0`,
    /// `OP_1` … `OP_16`) followed by one data push of 2 to 40 bytes (BIP 141), the only
    /// scripts an interactive transaction's inputs may spend (BOLT #2 §"The tx_add_input Message").
    public static func isWitnessProgram(_ script: [UInt8]) -> Bool {
        guard script.count >= 4, script.count <= 42 else { return false }
        let version = script[0]
        guard version == 0 || (0x51...0x60).contains(version) else { return false }
        return Int(script[1]) == script.count - 2
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        var remaining: Int { bytes.count - at }

        mutating func skip(_ count: Int) throws(Problem) {
            guard count <= remaining else { throw .truncated(at: bytes.count) }
            at += count
        }

        mutating func bytes(_ count: Int) throws(Problem) -> [UInt8] {
            let start = at
            try skip(count)
            return Array(bytes[start..<at])
        }

        mutating func uint64() throws(Problem) -> UInt64 {
            let start = at
            try skip(8)
            return bytes[start..<at].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }

        /// A CompactSize count of items of at least `minimumSize` bytes each: one that the
        /// remaining bytes cannot hold is a truncation (and allocates nothing).
        mutating func count(minimumSize: Int) throws(Problem) -> Int {
            guard remaining >= 1 else { throw .truncated(at: bytes.count) }
            let first = bytes[at]
            at += 1
            let width = first == 0xfd ? 2 : first == 0xfe ? 4 : first == 0xff ? 8 : 0
            var value = UInt64(first)
            if width > 0 {
                let start = at
                try skip(width)
                value = bytes[start..<at].reversed().reduce(0) { $0 << 8 | UInt64($1) }
            }
            guard value <= UInt64(remaining / max(minimumSize, 1)) else { throw .truncated(at: bytes.count) }
            return Int(value)
        }
    }
}
