/// The closing transactions both nodes sign to end a channel cooperatively, and the dust
/// thresholds their outputs are judged by (Documentation/closing.md).
public enum ClosingTransaction {
    /// Which outputs a simple-close signature covers: the `closing_tlvs` record that carries
    /// it (BOLT #2 §"Closing Negotiation: closing_complete and closing_sig").
    public enum Variant: Int, Sendable, CaseIterable, CustomStringConvertible {
        case closerOutputOnly = 1
        case closeeOutputOnly = 2
        case closerAndCloseeOutputs = 3

        public var description: String {
            switch self {
            case .closerOutputOnly: "closer_output_only"
            case .closeeOutputOnly: "closee_output_only"
            case .closerAndCloseeOutputs: "closer_and_closee_outputs"
            }
        }
    }

    /// The funding output a closing transaction spends.
    public struct Funding: Sendable {
        public var txid: [UInt8]
        public var outputIndex: UInt32
        public var satoshis: UInt64
        /// Both sides' `funding_pubkey`.
        public var pubkeys: PerSide<[UInt8]>

        public init(txid: [UInt8], outputIndex: UInt32, satoshis: UInt64, pubkeys: PerSide<[UInt8]>) {
            self.txid = txid
            self.outputIndex = outputIndex
            self.satoshis = satoshis
            self.pubkeys = pubkeys
        }

        /// The BIP 143 digest a signature over `tx`, spending this output, commits to.
        public func sighash(_ tx: Transaction) -> [UInt8] {
            tx.sighash(input: 0, witnessScript: Script.funding(pubkeys.first, pubkeys.second), amount: satoshis)
        }
    }

    /// Whether `script` starts with `OP_RETURN` (its output carries 0 sat and is never dust).
    public static func isOpReturn(_ script: [UInt8]) -> Bool { script.first == 0x6a }

    /// Bitcoin Core's dust threshold for an output paying `script` at 3000 sat/kB (BOLT #3
    /// §"Dust Limits"): three times the output's size plus the size of the input that would
    /// spend it (67 bytes for a witness program, 148 otherwise). It gives p2pkh 546, p2sh 540,
    /// p2wpkh 294, p2wsh and p2tr 330, p2a 240, a 40-byte witness program 354; an `OP_RETURN`
    /// output is never dust (0).
    public static func dustThreshold(_ script: [UInt8]) -> UInt64 {
        if isOpReturn(script) { return 0 }
        let outputSize = UInt64(8 + varIntSize(script.count) + script.count)
        return (outputSize + (isWitnessProgram(script) ? 67 : 148)) * 3
    }

    /// BIP 141: a version opcode (`OP_0`, `OP_1`…`OP_16`) and one direct push of 2 to 40 bytes.
    static func isWitnessProgram(_ script: [UInt8]) -> Bool {
        guard script.count >= 4, script.count <= 42, let version = script.first, version == 0 || (0x51...0x60).contains(version) else {
            return false
        }
        return Int(script[1]) == script.count - 2
    }

    private static func varIntSize(_ n: Int) -> Int { n < 0xfd ? 1 : n <= 0xffff ? 3 : 5 }

    /// The simple-close transaction (BOLT #3 §"Closing Transaction"): version 2, the
    /// `closing_complete`'s `locktime`, the funding output spent with sequence 0xFFFFFFFD, the
    /// outputs of `variant` ordered by value then script. The closer's output is its final
    /// balance rounded down minus `fee`, the closee's its final balance rounded down; an
    /// `OP_RETURN` output carries 0. `nil` when the fee exceeds the closer's balance.
    public static func simple(
        funding: Funding, closerScript: [UInt8], closeeScript: [UInt8], closerMsat: UInt64, closeeMsat: UInt64, fee: UInt64,
        locktime: UInt32, variant: Variant
    ) -> Transaction? {
        guard let closerAmount = simpleCloserAmount(closerScript: closerScript, closerMsat: closerMsat, fee: fee) else { return nil }
        let closeeAmount = isOpReturn(closeeScript) ? 0 : closeeMsat / 1000
        var outputs: [Transaction.Output] = []
        if variant != .closeeOutputOnly { outputs.append(Transaction.Output(value: closerAmount, script: closerScript)) }
        if variant != .closerOutputOnly { outputs.append(Transaction.Output(value: closeeAmount, script: closeeScript)) }
        return transaction(funding: funding, outputs: outputs, sequence: 0xFFFF_FFFD, locktime: locktime)
    }

    /// The closer's output amount in a simple close: 0 for `OP_RETURN`, else its balance in
    /// whole satoshis minus the fee; `nil` when the fee is more than the balance.
    public static func simpleCloserAmount(closerScript: [UInt8], closerMsat: UInt64, fee: UInt64) -> UInt64? {
        let balance = closerMsat / 1000
        guard fee <= balance else { return nil }
        return isOpReturn(closerScript) ? 0 : balance - fee
    }

    /// The legacy closing transaction (BOLT #3 §"Legacy Closing Transaction"): version 2,
    /// locktime 0, sequence 0xFFFFFFFF, each side's final balance rounded down paid to its
    /// `shutdown` script, the fee taken from the opener's; `include` says which sides'
    /// outputs are in this variant. `nil` when the fee exceeds the opener's balance.
    public static func legacy(
        funding: Funding, scripts: PerSide<[UInt8]>, balancesMsat: PerSide<UInt64>, opener: Side, fee: UInt64, include: PerSide<Bool>
    ) -> Transaction? {
        var amounts = balancesMsat.map { $0 / 1000 }
        guard fee <= amounts[opener] else { return nil }
        amounts[opener] -= fee
        var outputs: [Transaction.Output] = []
        for side in Side.allCases where include[side] {
            outputs.append(Transaction.Output(value: amounts[side], script: scripts[side]))
        }
        return transaction(funding: funding, outputs: outputs, sequence: 0xFFFF_FFFF, locktime: 0)
    }

    private static func transaction(funding: Funding, outputs: [Transaction.Output], sequence: UInt32, locktime: UInt32) -> Transaction {
        // BOLT #3 §"Transaction Output Ordering": value, then script (memcmp, shorter first).
        let sorted = outputs.sorted { a, b in
            a.value != b.value ? a.value < b.value : a.script.lexicographicallyPrecedes(b.script)
        }
        return Transaction(
            inputs: [Transaction.Input(txid: funding.txid, vout: funding.outputIndex, sequence: sequence)], outputs: sorted, locktime: locktime)
    }
}
