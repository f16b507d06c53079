#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target from Fixtures/ (and the lntrace binary).

Usage: Scripts/fuzz/seeds.py LNTRACE OUT_DIR   (run from the repository root)
OUT_DIR/TARGET/ gets one file per seed: the bundled captures, logs, hex dumps, key logs
(for `sequence` each behind a byte saying where to cut it in two),
scenarios and profiles as they are, and for `wire` and `rules` the messages of the bundled
captures in those targets' formats (a message's bytes; records of flags, length, message).
"""
import hashlib
import json
import subprocess
import sys
from pathlib import Path


def put(out, target, data):
    folder = out / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main():
    lntrace, out = sys.argv[1], Path(sys.argv[2])
    fixtures = Path('Fixtures')
    captures = sorted(fixtures.glob('captures/**/*.pcap')) + sorted(fixtures.glob('captures/**/*.pcapng'))
    logs = sorted(fixtures.glob('logs/**/*.log')) + sorted(fixtures.glob('captures/hazards/*.log'))
    small = lambda p: p.stat().st_size <= 256 * 1024
    for path in captures + logs + sorted(fixtures.glob('hex/*.hex')):
        if small(path):
            put(out, 'input', path.read_bytes())
    for path in logs + sorted(fixtures.glob('hex/*.hex')):
        if small(path):
            put(out, 'logs', path.read_bytes())
    # Two inputs of one trace (`sequence`): a byte saying where to cut, then a capture or a log.
    for path in captures + logs:
        if small(path):
            for ratio in (0x40, 0x80, 0xc0):
                put(out, 'sequence', bytes([ratio]) + path.read_bytes())
    # Both ends of a connection (`join`): the first log's length (4 bytes, little-endian),
    # then both nodes' logs.
    for alice in sorted(fixtures.glob('captures/hazards/*.alice-lnd.log')):
        bob = alice.with_name(alice.name.replace('.alice-lnd.', '.bob-lnd.'))
        if bob.exists():
            first = alice.read_bytes()
            put(out, 'join', len(first).to_bytes(4, 'little') + first + bob.read_bytes())
    # A capture and a node's log of it (the harness decrypts with the fixtures' keys).
    capture = fixtures / 'captures/synth/channel-life.pcap'
    for log in sorted(fixtures.glob('logs/channel-life/*.log')):
        if capture.exists() and small(capture):
            first = capture.read_bytes()
            put(out, 'join', len(first).to_bytes(4, 'little') + first + log.read_bytes())
    for path in sorted(fixtures.glob('captures/**/*.keys')) + sorted(fixtures.glob('captures/**/keys*.log')):
        put(out, 'keylog', path.read_bytes())
    # Bitcoin transactions (prevtx of tx_add_input): the signed ones of the BOLT #3 vectors.
    vectors = json.loads((fixtures / 'spec/bolt3-vectors.json').read_text())
    for commitment in vectors.get('commitments', []):
        for hex_tx in [commitment.get('commit_tx')] + [h.get('tx') for h in commitment.get('htlcs', [])]:
            if hex_tx:
                put(out, 'transaction', bytes.fromhex(hex_tx))
    for path in sorted(fixtures.glob('**/*.scenario')):
        put(out, 'scenario', path.read_bytes())
    for name in ['lnd', 'lnd-0.16', 'lnd-0.17', 'lnd-0.18', 'cln', 'eclair', 'ldk', 'strict']:
        profile = subprocess.run([lntrace, 'profiles', name], capture_output=True).stdout
        if profile:
            put(out, 'profile', profile)
    # Messages: every variant pyln-proto encodes, and the messages of the bundled captures.
    seen = set()
    for line in (fixtures / 'wire/pyln-messages.jsonl').read_text().splitlines():
        message = bytes.fromhex(json.loads(line)['hex'])
        if message not in seen and len(message) < 4096:
            seen.add(message)
            put(out, 'wire', message)
    for capture, keys in [('captures/pyln-cascade/cascade.pcap', 'captures/pyln-cascade/keys.log'),
                          ('captures/pyln-channels/channels.pcap', 'captures/pyln-channels/keys.log')]:
        dump = subprocess.run([lntrace, 'dump', '--format', 'jsonl', '--raw', '--keylog', str(fixtures / keys),
                               str(fixtures / capture)], capture_output=True, text=True).stdout
        records = {}
        for line in dump.splitlines():
            record = json.loads(line)
            if record.get('kind') != 'message' or 'raw' not in record:
                continue
            raw = bytes.fromhex(record['raw'])
            if raw[:2] not in seen:
                seen.add(raw[:2])
                put(out, 'wire', raw)
            records.setdefault(record['connection'], []).append((record['direction'], raw))
        for connection, messages in records.items():
            stream = b''
            for i, (direction, raw) in enumerate(messages[:400]):
                flags = (1 if direction == 'in' else 0) | (2 if i == 0 else 0)
                stream += bytes([flags]) + len(raw).to_bytes(2, 'big') + raw
            put(out, 'rules', stream)
            put(out, 'transport', bytes([0, 7]) + b''.join(bytes([len(r) % 64]) + r[:len(r) % 64] for _, r in messages[:50]))


if __name__ == '__main__':
    main()
