import Basics

/// A Bitcoin transaction as BOLT #3 builds them: inputs without scriptSig (segwit), and
/// the two digests a Lightning signature covers (BIP 143).
public struct Transaction: Sendable, Hashable {
    public struct Input: Sendable, Hashable {
        /// The spent transaction's id in internal byte order (as serialized, as on the wire).
        public var txid: [UInt8]
        public var vout: UInt32
        public var sequence: UInt32

        public init(txid: [UInt8], vout: UInt32, sequence: UInt32) {
            self.txid = txid
            self.vout = vout
            self.sequence = sequence
        }
    }

    public struct Output: Sendable, Hashable {
        public var value: UInt64
        public var script: [UInt8]

        public init(value: UInt64, script: [UInt8]) {
            self.value = value
            self.script = script
        }
    }

    public var version: UInt32 = 2
    public var inputs: [Input]
    public var outputs: [Output]
    public var locktime: UInt32

    public init(inputs: [Input], outputs: [Output], locktime: UInt32) {
        self.inputs = inputs
        self.outputs = outputs
        self.locktime = locktime
    }

    /// The serialization without witness (what the txid commits to).
    public var serialized: [UInt8] {
        var out: [UInt8] = []
        append(version, to: &out)
        appendVarInt(UInt64(inputs.count), to: &out)
        for input in inputs {
            out += input.txid
            append(input.vout, to: &out)
            out.append(0)  // empty scriptSig
            append(input.sequence, to: &out)
        }
        appendVarInt(UInt64(outputs.count), to: &out)
        for output in outputs {
            append(output.value, to: &out)
            appendVarInt(UInt64(output.script.count), to: &out)
            out += output.script
        }
        append(locktime, to: &out)
        return out
    }

    /// The txid in internal byte order: SHA256d of the serialization without witness.
    public var txid: [UInt8] { Hash.sha256d(serialized) }

    public enum SighashType: UInt32, Sendable {
        case all = 0x01
        /// `SIGHASH_SINGLE|SIGHASH_ANYONECANPAY`: second-stage HTLC transactions with
        /// `option_anchors` (BOLT #3 §"HTLC-Timeout and HTLC-Success Transactions").
        case singleAnyoneCanPay = 0x83
    }

    /// The BIP 143 digest a signature for input `index` commits to, spending a P2WSH output
    /// of `amount` with `witnessScript`.
    public func sighash(input index: Int, witnessScript: [UInt8], amount: UInt64, type: SighashType = .all) -> [UInt8] {
        var preimage: [UInt8] = []
        append(version, to: &preimage)
        let anyoneCanPay = type == .singleAnyoneCanPay
        if anyoneCanPay {
            preimage += [UInt8](repeating: 0, count: 64)  // hashPrevouts, hashSequence
        } else {
            var prevouts: [UInt8] = [], sequences: [UInt8] = []
            for input in inputs {
                prevouts += input.txid
                append(input.vout, to: &prevouts)
                append(input.sequence, to: &sequences)
            }
            preimage += Hash.sha256d(prevouts) + Hash.sha256d(sequences)
        }
        let input = inputs[index]
        preimage += input.txid
        append(input.vout, to: &preimage)
        appendVarInt(UInt64(witnessScript.count), to: &preimage)
        preimage += witnessScript
        append(amount, to: &preimage)
        append(input.sequence, to: &preimage)
        var outputsData: [UInt8] = []
        let signed = type == .all ? outputs[...] : (index < outputs.count ? outputs[index...index] : [])
        for output in signed {
            append(output.value, to: &outputsData)
            appendVarInt(UInt64(output.script.count), to: &outputsData)
            outputsData += output.script
        }
        preimage += outputsData.isEmpty ? [UInt8](repeating: 0, count: 32) : Hash.sha256d(outputsData)
        append(locktime, to: &preimage)
        append(type.rawValue, to: &preimage)
        return Hash.sha256d(preimage)
    }

    /// Parses a serialized transaction (with or without witness), for tests and vectors.
    public init?(parsing bytes: [UInt8]) {
        var reader = Reader(bytes: bytes)
        guard let version = reader.u32() else { return nil }
        var segwit = false
        if reader.peek(2) == [0, 1] {
            segwit = true
            reader.skip(2)
        }
        guard let inputCount = reader.varInt() else { return nil }
        var inputs: [Input] = []
        for _ in 0..<inputCount {
            guard let txid = reader.bytes(32), let vout = reader.u32(), let scriptLength = reader.varInt(),
                reader.bytes(Int(scriptLength)) != nil, let sequence = reader.u32()
            else { return nil }
            inputs.append(Input(txid: txid, vout: vout, sequence: sequence))
        }
        guard let outputCount = reader.varInt() else { return nil }
        var outputs: [Output] = []
        for _ in 0..<outputCount {
            guard let value = reader.u64(), let length = reader.varInt(), let script = reader.bytes(Int(length)) else { return nil }
            outputs.append(Output(value: value, script: script))
        }
        if segwit {
            for _ in inputs {
                guard let items = reader.varInt() else { return nil }
                for _ in 0..<items {
                    guard let length = reader.varInt(), reader.bytes(Int(length)) != nil else { return nil }
                }
            }
        }
        guard let locktime = reader.u32(), reader.atEnd else { return nil }
        self.version = version
        self.inputs = inputs
        self.outputs = outputs
        self.locktime = locktime
    }
}

private struct Reader {
    let bytes: [UInt8]
    var offset = 0

    var atEnd: Bool { offset == bytes.count }

    func peek(_ n: Int) -> [UInt8] { Array(bytes[offset..<min(offset + n, bytes.count)]) }
    mutating func skip(_ n: Int) { offset += n }

    mutating func bytes(_ n: Int) -> [UInt8]? {
        guard n >= 0, offset + n <= bytes.count else { return nil }
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    mutating func u32() -> UInt32? {
        bytes(4).map { $0.reversed().reduce(0) { $0 << 8 | UInt32($1) } }
    }

    mutating func u64() -> UInt64? {
        bytes(8).map { $0.reversed().reduce(0) { $0 << 8 | UInt64($1) } }
    }

    mutating func varInt() -> UInt64? {
        guard let first = bytes(1)?.first else { return nil }
        switch first {
        case 0xfd: return bytes(2).map { UInt64($0[0]) | UInt64($0[1]) << 8 }
        case 0xfe: return u32().map(UInt64.init)
        case 0xff: return u64()
        default: return UInt64(first)
        }
    }
}

func append(_ value: UInt32, to out: inout [UInt8]) {
    for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))) }
}

func append(_ value: UInt64, to out: inout [UInt8]) {
    for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
}

func appendVarInt(_ value: UInt64, to out: inout [UInt8]) {
    switch value {
    case ..<0xfd: out.append(UInt8(value))
    case ...0xffff:
        out.append(0xfd)
        out += [UInt8(value & 0xff), UInt8(value >> 8)]
    case ...0xffff_ffff:
        out.append(0xfe)
        append(UInt32(value), to: &out)
    default:
        out.append(0xff)
        append(value, to: &out)
    }
}

/// The hashes Bitcoin scripts use.
public enum Hash {
    public static func sha256d(_ data: [UInt8]) -> [UInt8] { sha256(sha256(data)) }
    /// HASH160: RIPEMD160(SHA256(data)).
    public static func hash160(_ data: [UInt8]) -> [UInt8] { RIPEMD160.hash(sha256(data)) }
}
