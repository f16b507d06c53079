#!/usr/bin/env python3
"""Cross-check lntrace's TCP reassembly and frame numbers against tshark.

For each capture: tshark lists every TCP segment (frame number, stream, direction, raw
sequence number, payload length); from those alone this script rebuilds each
direction's byte stream layout, walks the BOLT #8 framing (handshake 50+66 / 50 bytes,
then 18 + length + 16 bytes per message, using the message lengths lntrace reports) and
derives which frames carry each message. lntrace's `frames` for every message must match.

Usage: check_frames.py LNTRACE CAPTURE KEYLOG [CAPTURE KEYLOG ...]
"""
import json
import subprocess
import sys
from collections import defaultdict


def tshark_segments(capture):
    fields = ['frame.number', 'tcp.stream', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.len',
              'tcp.flags.syn']
    out = subprocess.run(['tshark', '-r', capture, '-T', 'fields', '-o', 'tcp.desegment_tcp_streams:FALSE',
                          '-o', 'tcp.analyze_sequence_numbers:FALSE'] + sum([['-e', f] for f in fields], []),
                         capture_output=True, text=True, check=True).stdout
    segments = []
    for line in out.splitlines():
        parts = line.split('\t')
        if len(parts) < 7 or not parts[1]:
            continue
        frame, stream, sport, dport, seq, length, syn = parts[:7]
        segments.append((int(frame), int(stream), int(sport), int(dport), int(seq), int(length or 0), syn in ('1', 'True')))
    return segments


def frames_by_offset(segments):
    """Per (stream, source port): sorted list of (start offset, end offset, frame), offsets
    relative to the first payload byte seen (or after the SYN)."""
    base = {}
    layout = defaultdict(list)
    for frame, stream, sport, dport, seq, length, syn in segments:
        key = (stream, sport)
        if syn:
            base[key] = seq + 1
            continue
        if length == 0:
            continue
        if key not in base:
            base[key] = seq
        start = (seq - base[key]) % (1 << 32)
        layout[key].append((start, start + length, frame))
    return layout


def check(lntrace, capture, keylog):
    run = subprocess.run([lntrace, 'dump', '--format', 'jsonl', '--raw', '--keylog', keylog, capture],
                         capture_output=True, text=True)
    lines = [json.loads(l) for l in run.stdout.splitlines()]
    connections = {l['connection']: l for l in lines if l.get('kind') == 'connection'}
    messages = [l for l in lines if l.get('kind') == 'message']
    # After a gap lntrace reports, stream offsets are unknown to this check: stop there.
    gap_frames = defaultdict(lambda: float('inf'))
    for d in lines:
        if d.get('kind') == 'diagnostic' and d['code'] == 'tcp.gap':
            conn = int(d['message'].split(':')[0].split()[1])
            gap_frames[conn] = min(gap_frames[conn], d['frames'][0])
    segments = tshark_segments(capture)
    layout = frames_by_offset(segments)
    # tshark stream index per endpoint pair.
    stream_of = {}
    for frame, stream, sport, dport, *_ in segments:
        stream_of[frozenset((sport, dport))] = stream
    errors = []
    offsets = {}
    for conn_id, conn in connections.items():
        ports = [int(conn['initiator'].rsplit(':', 1)[1]), int(conn['responder'].rsplit(':', 1)[1])]
        stream = stream_of[frozenset(ports)]
        if conn['handshake']:
            offsets[(conn_id, 'out')] = [(stream, ports[0]), 50 + 66]
            offsets[(conn_id, 'in')] = [(stream, ports[1]), 50]
    checked = 0
    for m in messages:
        key = (m['connection'], m['direction'])
        if key not in offsets:
            continue  # no handshake captured: the stream start is unknown to this check
        if m['frames'][0] >= gap_frames[m['connection']]:
            continue
        (stream_key, offset) = offsets[key]
        size = 18 + len(m['raw']) // 2 + 16
        start, end = offset, offset + size
        offsets[key][1] = end
        carrying = [(s, e, f) for (s, e, f) in layout[stream_key] if s < end and e > start]
        want = sorted({f for (_, _, f) in carrying})
        # Retransmitted copies carry the same bytes: lntrace names the frames it used, which
        # must be among tshark's and together hold every byte of the message.
        used = [(s, e) for (s, e, f) in carrying if f in m['frames']]
        covered, position = True, start
        for s, e in sorted(used):
            if s > position:
                covered = False
            position = max(position, e)
        if not m['frames'] or not set(m['frames']) <= set(want) or not covered or position < end:
            errors.append(f'{capture}: connection {m["connection"]} {m["direction"]} message at stream offset '
                          f'{start}: lntrace frames {m["frames"]}, tshark frames {want}')
        checked += 1
    return checked, errors


def main():
    lntrace = sys.argv[1]
    pairs = list(zip(sys.argv[2::2], sys.argv[3::2]))
    total, errors = 0, []
    for capture, keylog in pairs:
        checked, errs = check(lntrace, capture, keylog)
        total += checked
        errors += errs
    for e in errors[:30]:
        print('MISMATCH', e)
    print(f'{total} messages in {len(pairs)} captures checked against tshark\'s segments; {len(errors)} mismatches')
    return 1 if errors or total == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
