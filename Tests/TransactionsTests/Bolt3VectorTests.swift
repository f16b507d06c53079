import Basics
import Foundation
import Secp256k1
import TestSupport
import Testing
import Transactions

/// BOLT #3 Appendices C, E and F, extracted from the spec by `Scripts/extract-spec-vectors.py`.
@Suite struct Bolt3VectorTests {
    struct Vectors {
        let json: [String: Any]
        var parameters: [String: String] { json["parameters"] as? [String: String] ?? [:] }

        init() throws {
            json = try Fixtures.json("spec/bolt3-vectors.json") as? [String: Any] ?? [:]
        }

        func bytes(_ name: String) -> [UInt8] { [UInt8](hexString: parameters[name] ?? "") ?? [] }

        /// The test HTLCs a vector uses: 0–4, or 1, 5 and 6 for "same amount and preimage".
        func htlcs(for name: String) -> [CommitmentTransaction.HTLC] {
            let all = json["htlcs"] as? [[String: String]] ?? []
            let chosen = name.contains("same amount and preimage") ? [1, 5, 6] : [0, 1, 2, 3, 4]
            return chosen.map { i in
                let h = all[i]
                return CommitmentTransaction.HTLC(
                    offered: h["direction"] == "local->remote", amountMsat: UInt64(h["amount_msat"] ?? "") ?? 0,
                    paymentHash: sha256([UInt8](hexString: h["payment_preimage"] ?? "") ?? []),
                    cltvExpiry: UInt32(h["expiry"] ?? "") ?? 0)
            }
        }

        var keys: CommitmentTransaction.Keys {
            CommitmentTransaction.Keys(
                revocation: bytes("local_revocation_pubkey"), localDelayed: bytes("local_delayedpubkey"),
                localHTLC: bytes("local_htlcpubkey"), remoteHTLC: bytes("remote_htlcpubkey"),
                remotePayment: bytes("remote_payment_basepoint"), localFunding: bytes("local_funding_pubkey"),
                remoteFunding: bytes("remote_funding_pubkey"))
        }

        func build(
            toLocal: UInt64, toRemote: UInt64, feerate: UInt32, dustLimit: UInt64, anchors: Bool,
            htlcs: [CommitmentTransaction.HTLC]
        ) -> CommitmentTransaction {
            let factor = CommitmentTransaction.obscuringFactor(
                openerPaymentBasepoint: bytes("local_payment_basepoint"), accepterPaymentBasepoint: bytes("remote_payment_basepoint"))
            let parameters = CommitmentTransaction.Parameters(
                fundingTxid: bytes("funding_tx_id").reversed(), fundingOutputIndex: UInt32(parameters["funding_output_index"] ?? "") ?? 0,
                fundingSatoshis: UInt64(parameters["funding_amount_satoshi"] ?? "") ?? 0,
                obscuredCommitmentNumber: (UInt64(parameters["commitment_number"] ?? "") ?? 0) ^ factor,
                toSelfDelay: UInt16(parameters["local_delay"] ?? "") ?? 0, dustLimit: dustLimit, feeratePerKw: feerate,
                toLocalMsat: toLocal, toRemoteMsat: toRemote, ownerIsOpener: true, anchors: anchors)
            return CommitmentTransaction(parameters: parameters, keys: keys, htlcs: htlcs)
        }
    }

    static func verify(der: String, digest: [UInt8], key: [UInt8]) -> Bool {
        guard let signature = Secp256k1.compact(der: [UInt8](hexString: der) ?? []) else { return false }
        return Secp256k1.verify(signature: signature, digest: digest, point: key)
    }

    @Test func ripemd160() {
        #expect(RIPEMD160.hash([]).hex == "9c1185a5c5e9fc54612808977ee8f548b2258d31")
        #expect(RIPEMD160.hash(Array("abc".utf8)).hex == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc")
        #expect(RIPEMD160.hash(Array("message digest".utf8)).hex == "5d0689ef49d2fae572b881b123a85ffa21595f36")
        #expect(
            RIPEMD160.hash(Array("12345678901234567890123456789012345678901234567890123456789012345678901234567890".utf8)).hex
                == "9b752e45573d4b39f4dbd3323cab82bf63326bfb")
        #expect(RIPEMD160.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)).hex == "52783243c1697bdbe16d37f97f68f08325dc1528")
    }

    @Test func keyDerivation() throws {
        let v = try Vectors()
        let e = v.json["key_derivation"] as? [String: String] ?? [:]
        func b(_ k: String) -> [UInt8] { [UInt8](hexString: e[k] ?? "") ?? [] }
        #expect(KeyDerivation.pubkey(basepoint: b("base_point"), perCommitmentPoint: b("per_commitment_point")) == b("localpubkey"))
        #expect(
            KeyDerivation.privkey(basepointSecret: b("base_secret"), basepoint: b("base_point"), perCommitmentPoint: b("per_commitment_point"))
                == b("localprivkey"))
        #expect(KeyDerivation.revocationPubkey(basepoint: b("base_point"), perCommitmentPoint: b("per_commitment_point")) == b("revocationpubkey"))
        // Appendix C's keys follow from its basepoints and per-commitment point the same way.
        let point = v.bytes("local_per_commitment_point")
        #expect(
            KeyDerivation.pubkey(basepoint: v.bytes("local_delayed_payment_basepoint"), perCommitmentPoint: point) == v.bytes("local_delayedpubkey"))
        #expect(
            KeyDerivation.revocationPubkey(basepoint: v.bytes("remote_revocation_basepoint"), perCommitmentPoint: point)
                == v.bytes("local_revocation_pubkey"))
        #expect(KeyDerivation.pubkey(basepoint: v.bytes("local_htlc_basepoint"), perCommitmentPoint: point) == v.bytes("local_htlcpubkey"))
    }

    @Test func fundingScript() throws {
        let v = try Vectors()
        #expect(
            Script.funding(v.bytes("local_funding_pubkey"), v.bytes("remote_funding_pubkey")).hex
                == "5221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb21030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae"
        )
    }

    /// Appendix C: the commitment and HTLC transactions lntrace builds are the spec's, and
    /// the spec's remote signatures verify against lntrace's digests.
    @Test func commitmentVectors() throws {
        let v = try Vectors()
        let vectors = v.json["commitments"] as? [[String: Any]] ?? []
        #expect(vectors.count == 16)
        for vector in vectors {
            let name = vector["name"] as? String ?? ""
            let htlcs = (vector["num_htlcs"] as? Int ?? 0) == 0 && name.contains("no HTLCs") ? [] : v.htlcs(for: name)
            let built = v.build(
                toLocal: UInt64(vector["to_local_msat"] as? Int ?? 0), toRemote: UInt64(vector["to_remote_msat"] as? Int ?? 0),
                feerate: UInt32(vector["local_feerate_per_kw"] as? Int ?? 0),
                dustLimit: UInt64(v.parameters["local_dust_limit_satoshi"] ?? "") ?? 0, anchors: false, htlcs: htlcs)
            let expected = try #require(Transaction(parsing: [UInt8](hexString: vector["commit_tx"] as? String ?? "") ?? []), "\(name)")
            #expect(built.transaction == expected, "\(name)")
            #expect(built.htlcOutputs.count == vector["num_htlcs"] as? Int, "\(name)")
            #expect(
                Self.verify(der: vector["remote_signature"] as? String ?? "", digest: built.sighash, key: v.bytes("remote_funding_pubkey")), "\(name)"
            )
            let htlcVectors = vector["htlcs"] as? [[String: Any]] ?? []
            #expect(htlcVectors.count == built.htlcOutputs.count, "\(name)")
            for (output, h) in zip(built.htlcOutputs, htlcVectors) {
                let tx = try #require(Transaction(parsing: [UInt8](hexString: h["tx"] as? String ?? "") ?? []))
                #expect(built.htlcTransaction(output) == tx, "\(name) output \(output.outputIndex)")
                #expect((h["kind"] as? String == "timeout") == output.htlc.offered)
                #expect(
                    Self.verify(der: h["remote_signature"] as? String ?? "", digest: built.htlcSighash(output), key: v.bytes("remote_htlcpubkey")),
                    "\(name) output \(output.outputIndex)")
            }
        }
    }

    /// Appendix F: the same with `option_anchors` (anchor outputs, CSV on to_remote and
    /// HTLCs, zero-fee HTLC transactions signed SIGHASH_SINGLE|ANYONECANPAY).
    @Test func anchorVectors() throws {
        let v = try Vectors()
        let vectors = v.json["anchors"] as? [[String: Any]] ?? []
        #expect(vectors.count == 9)
        for vector in vectors {
            let name = vector["Name"] as? String ?? ""
            let htlcs = vector["UseTestHtlcs"] as? Bool == true ? v.htlcs(for: name) : []
            let built = v.build(
                toLocal: UInt64(vector["LocalBalance"] as? Int ?? 0), toRemote: UInt64(vector["RemoteBalance"] as? Int ?? 0),
                feerate: UInt32(vector["FeePerKw"] as? Int ?? 0), dustLimit: UInt64(vector["DustLimitSatoshis"] as? Int ?? 0),
                anchors: true, htlcs: htlcs)
            let expected = try #require(Transaction(parsing: [UInt8](hexString: vector["ExpectedCommitmentTxHex"] as? String ?? "") ?? []), "\(name)")
            #expect(built.transaction == expected, "\(name)")
            #expect(
                Self.verify(der: vector["RemoteSigHex"] as? String ?? "", digest: built.sighash, key: v.bytes("remote_funding_pubkey")), "\(name)")
            let descs = vector["HtlcDescs"] as? [[String: Any]] ?? []
            #expect(descs.count == built.htlcOutputs.count, "\(name)")
            for (output, d) in zip(built.htlcOutputs, descs) {
                let tx = try #require(Transaction(parsing: [UInt8](hexString: d["ResolutionTxHex"] as? String ?? "") ?? []))
                #expect(built.htlcTransaction(output) == tx, "\(name) output \(output.outputIndex)")
                #expect(
                    Self.verify(der: d["RemoteSigHex"] as? String ?? "", digest: built.htlcSighash(output), key: v.bytes("remote_htlcpubkey")),
                    "\(name) output \(output.outputIndex)")
            }
        }
    }
}
