import Foundation
import TestSupport
import Testing
import Transactions

/// `TransactionReader` on real transactions: the signed segwit commitment and HTLC
/// transactions of BOLT #3 Appendix C, and legacy serializations built here.
@Suite struct TransactionReaderTests {
    /// Every signed transaction of the BOLT #3 vectors (segwit: marker, flag, witnesses).
    static func bolt3Transactions() throws -> [[UInt8]] {
        let json = try Fixtures.json("spec/bolt3-vectors.json") as? [String: Any] ?? [:]
        var out: [[UInt8]] = []
        for commitment in json["commitments"] as? [[String: Any]] ?? [] {
            if let hex = commitment["commit_tx"] as? String, let bytes = [UInt8](hexString: hex) { out.append(bytes) }
            for htlc in commitment["htlcs"] as? [[String: Any]] ?? [] {
                if let hex = htlc["tx"] as? String, let bytes = [UInt8](hexString: hex) { out.append(bytes) }
            }
        }
        return out
    }

    @Test func readsEverySignedBolt3Transaction() throws {
        let transactions = try Self.bolt3Transactions()
        #expect(transactions.count > 20)
        for tx in transactions {
            let outputs = try TransactionReader.outputs(of: tx)
            #expect(!outputs.isEmpty)
            // Commitment and HTLC outputs are P2WSH or P2WPKH: witness programs.
            #expect(outputs.allSatisfy { TransactionReader.isWitnessProgram($0.script) })
        }
        // The first commitment (BOLT #3 "simple commitment tx with no HTLCs"): two outputs, to
        // the remote 3,000,000 sat and to the local 6,989,140 sat.
        let first = try TransactionReader.outputs(of: transactions[0])
        #expect(first.map(\.value) == [3_000_000, 6_989_140])
    }

    @Test func readsALegacySerialization() throws {
        let tx = Transaction(
            inputs: [Transaction.Input(txid: [UInt8](repeating: 0x11, count: 32), vout: 1, sequence: 0xffff_fffe)],
            outputs: [
                Transaction.Output(value: 1_000, script: [0x00, 0x14] + [UInt8](repeating: 0x22, count: 20)),
                Transaction.Output(value: 2_000, script: [0x76, 0xa9, 0x14] + [UInt8](repeating: 0x33, count: 20) + [0x88, 0xac]),
            ], locktime: 7)
        let outputs = try TransactionReader.outputs(of: tx.serialized)
        #expect(outputs == tx.outputs)
        #expect(TransactionReader.isWitnessProgram(outputs[0].script))
        #expect(!TransactionReader.isWitnessProgram(outputs[1].script))  // P2PKH
    }

    @Test func refusesWhatIsNotOneTransaction() throws {
        let tx = try #require(Self.bolt3Transactions().first)
        #expect(throws: TransactionReader.Problem.trailingBytes(1)) { try TransactionReader.outputs(of: tx + [0]) }
        for cut in [0, 3, 10, 60, tx.count - 1] {
            #expect(throws: TransactionReader.Problem.truncated(at: cut)) { try TransactionReader.outputs(of: Array(tx.prefix(cut))) }
        }
        // A count larger than the bytes can hold is refused without allocating it.
        #expect(throws: TransactionReader.Problem.truncated(at: 14)) {
            try TransactionReader.outputs(of: [2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0])
        }
    }

    @Test func witnessProgramsAreVersionAndOnePush() {
        #expect(TransactionReader.isWitnessProgram([0x51, 0x20] + [UInt8](repeating: 1, count: 32)))  // P2TR
        #expect(TransactionReader.isWitnessProgram([0x60, 0x02, 1, 2]))  // version 16, 2 bytes
        #expect(!TransactionReader.isWitnessProgram([0x00, 0x01, 1]))  // 1 byte: too short
        #expect(!TransactionReader.isWitnessProgram([0x00, 0x29] + [UInt8](repeating: 1, count: 41)))  // 41 bytes
        #expect(!TransactionReader.isWitnessProgram([0x61, 0x02, 1, 2]))  // not a version opcode
        #expect(!TransactionReader.isWitnessProgram([0x00, 0x14] + [UInt8](repeating: 1, count: 21)))  // length mismatch
    }
}
