/// The transaction an interactive construction builds (BOLT #2 §"Interactive Transaction
/// Construction"): version 2, the `locktime` of `open_channel2`, `splice_init` or
/// `tx_init_rbf`, the inputs sorted by `serial_id` (each spending `prevtx_vout` of its
/// `prevtx`, or of `shared_input_txid`, with an empty scriptSig and its `sequence`), and the
/// outputs sorted by `serial_id`. Its id is what `tx_signatures` names.
public struct InteractiveTransaction: Sendable, Hashable {
    public var locktime: UInt32
    public private(set) var inputs: [UInt64: Transaction.Input] = [:]
    public private(set) var outputs: [UInt64: Transaction.Output] = [:]

    public init(locktime: UInt32) {
        self.locktime = locktime
    }

    /// An input spending output `vout` of `prevtx` (its txid is the transaction's double
    /// SHA-256), or of the transaction `sharedTxid` names when `prevtx` is empty (a splice's
    /// shared input). The first input under a `serial_id` stays (a repeat is a violation).
    public mutating func addInput(serial: UInt64, prevtx: [UInt8], sharedTxid: [UInt8]?, vout: UInt32, sequence: UInt32) {
        guard inputs[serial] == nil else { return }
        let txid = prevtx.isEmpty ? sharedTxid ?? [UInt8](repeating: 0, count: 32) : Hash.sha256d(prevtx)
        inputs[serial] = Transaction.Input(txid: txid, vout: vout, sequence: sequence)
    }

    public mutating func addOutput(serial: UInt64, sats: UInt64, script: [UInt8]) {
        guard outputs[serial] == nil else { return }
        outputs[serial] = Transaction.Output(value: sats, script: script)
    }

    public mutating func removeInput(serial: UInt64) { inputs[serial] = nil }
    public mutating func removeOutput(serial: UInt64) { outputs[serial] = nil }

    /// The output with the lowest `serial_id` that pays `script` (a funding output).
    public func firstOutput(paying script: [UInt8]) -> (serial: UInt64, output: Transaction.Output)? {
        outputs.filter { $0.value.script == script }.min { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public var transaction: Transaction {
        Transaction(
            inputs: inputs.sorted { $0.key < $1.key }.map(\.value), outputs: outputs.sorted { $0.key < $1.key }.map(\.value),
            locktime: locktime)
    }

    /// The txid in internal byte order, as `tx_signatures` carries it.
    public var txid: [UInt8] { transaction.txid }
}
