#!/usr/bin/env python3
"""Writes the hand-made hostile inputs of Fixtures/hostile/ (run from the repository root).

Each is the smallest input that reaches one limit: lengths that claim up to 2^32 bytes,
100,000 connections, endless TCP gaps, the largest message over and over, a line without a
newline, a gzip bomb, times at the limits of each format, NUL bytes, invalid UTF-8 and
mixed line ends. Large ones are gzip-compressed (lntrace reads gzip). Usage:
Scripts/fuzz/hostile.py
"""
import gzip
import struct
import zlib
from pathlib import Path

OUT = Path('Fixtures/hostile')


def put(target, name, data, compress=False):
    folder = OUT / target
    folder.mkdir(parents=True, exist_ok=True)
    if compress:
        data = gzip.compress(data, compresslevel=9, mtime=0)
        name += '.gz'
    (folder / name).write_bytes(data)


def pcap(records, nano=False, snaplen=65535, linktype=1):
    magic = 0xa1b23c4d if nano else 0xa1b2c3d4
    out = [struct.pack('<IHHiIII', magic, 2, 4, 0, 0, snaplen, linktype)]
    for sec, frac, data, caplen, length in records:
        out.append(struct.pack('<IIII', sec, frac, len(data) if caplen is None else caplen,
                               len(data) if length is None else length) + data)
    return b''.join(out)


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b''):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0, bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack('!H', checksum(ip)) + ip[12:]
    return b'\x02' * 6 + b'\x04' * 6 + b'\x08\x00' + ip + tcp


A, B = [10, 0, 0, 1], [10, 0, 0, 2]
SYN, ACK, PSH = 0x02, 0x10, 0x08


def main():
    # --- captures (`input`) ---
    frame = tcp_frame(A, B, 40000, 9735, 1, 0, SYN)
    # The trap of issue 12: a nanosecond record whose fraction does not fit Int32.
    put('input', 'pcap-fraction-over-int32.pcap', pcap([(1, 0xffffffff, frame, None, None),
                                                        (2, 0x80000000, frame, None, None)], nano=True))
    put('input', 'pcap-fraction-over-a-second.pcap', pcap([(0xffffffff, 999_999_999 + 5, frame, None, None)], nano=True))
    # Declared lengths up to 2^32.
    put('input', 'pcap-caplen-4g.pcap', pcap([(1, 0, frame, 0xffffffff, 0xffffffff)]))
    put('input', 'pcap-len-4g.pcap', pcap([(1, 0, frame, None, 0xffffffff)]))
    put('input', 'pcap-snaplen-4g.pcap', pcap([(1, 0, frame, None, None)], snaplen=0xffffffff))
    put('input', 'pcap-caplen-past-end.pcap', pcap([(1, 0, frame, 60000, 60000)]))
    shb = struct.pack('<IIIHHq', 0x0a0d0d0a, 28, 0x1a2b3c4d, 1, 0, -1) + struct.pack('<I', 28)
    put('input', 'pcapng-block-length-4g.pcapng', shb + struct.pack('<II', 1, 0xfffffff0) + b'\0' * 64)
    idb = struct.pack('<IIHHI', 1, 20, 1, 0, 0) + struct.pack('<I', 20)
    epb = struct.pack('<IIIIIII', 6, 32 + 0, 0, 0, 0, 0xffffffff, 0xffffffff) + struct.pack('<I', 32)
    put('input', 'pcapng-packet-length-4g.pcapng', shb + idb + epb)
    put('input', 'pcap-unknown-linktype.pcap', pcap([(1, 0, frame, None, None)], linktype=0xffff))
    # 100,000 connections, each a SYN and a few bytes: bounded state, linear time.
    records = []
    for i in range(100_000):
        port = 1024 + i % 60000
        src = [10, 1 + i // 60000, (i >> 8) & 0xff, i & 0xff]
        records.append((1_700_000_000 + i // 1000, i % 1000 * 1000, tcp_frame(src, B, port, 9735, 7, 0, SYN), None, None))
        records.append((1_700_000_000 + i // 1000, i % 1000 * 1000 + 1,
                        tcp_frame(src, B, port, 9735, 8, 0, PSH | ACK, b'\x00' * 50), None, None))
    put('input', 'connections-100k.pcap', pcap(records), compress=True)
    # One connection whose every segment leaves a gap.
    records = [(1, 0, tcp_frame(A, B, 40001, 9735, 0, 0, SYN), None, None)]
    for i in range(20_000):
        records.append((1 + i // 1000, i % 1000, tcp_frame(A, B, 40001, 9735, 1 + i * 1000, 0, PSH | ACK, b'\x01' * 10),
                        None, None))
    put('input', 'tcp-gaps-20k.pcap', pcap(records), compress=True)
    # A gzip bomb: 256 MB of zeros in about 256 KB.
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b''.join(compressor.compress(b'\0' * (1 << 20)) for _ in range(256)) + compressor.flush()
    put('input', 'gzip-bomb-256mb.gz', bomb)
    # A gzip stream cut short, and gzip inside gzip.
    put('input', 'gzip-truncated.gz', gzip.compress(b'2024-01-01 00:00:00.000 [DBG] PEER: hello\n' * 100, mtime=0)[:200])
    put('input', 'gzip-in-gzip.gz', gzip.compress(gzip.compress(pcap([(1, 0, frame, None, None)]), mtime=0), mtime=0))

    # --- text (`logs`, `input`) ---
    # The largest message, as a hex-dump line, 64 times.
    line = ('0081' + 'ab' * 65533 + '\n').encode()
    put('logs', 'hex-65535-byte-messages.hex', line * 64, compress=True)
    # 15,000 channels opened, then updates naming 15,000 channels never opened: more than
    # the engine keeps models of (10,000 live) and lists (10,000), and each unknown
    # channel_id looks for a pending opening on the connection (once a scan of every channel).
    life = Path('Fixtures/hex/channel-life.hex').read_text().split('\n')
    opening = bytearray.fromhex(next(l for l in life if l.startswith('0020')))
    add = bytearray.fromhex(next(l for l in life if l.startswith('0080')))
    text = ''
    for i in range(15_000):
        opening[34:38] = i.to_bytes(4, 'big')
        text += opening.hex() + '\n'
    for i in range(15_000):
        add[2:6] = (0x80000000 | i).to_bytes(4, 'big')
        text += add.hex() + '\n'
    # A bounds case for the executable (BoundsTests), not a fuzz seed: under AddressSanitizer
    # one run of it takes longer than the fuzzers' 10 s per input, so it stays out of the
    # folders the fuzz targets read.
    put('bounds', 'hex-30k-channels.hex', text.encode(), compress=True)
    # A 64 MB line without a newline (the line reader cuts it, and goes on).
    put('logs', 'line-64mb-no-newline.log', b'2024-01-01 00:00:00.000 [DBG] PEER: ' + b'x' * (64 << 20), compress=True)
    put('logs', 'nul-bytes.log', b'2024-01-01 00:00:00.000 [DBG] PEER: Received Ping(ping_bytes=0) from \0\0\0@127.0.0.1:9735\n\0\0\n')
    put('logs', 'invalid-utf8.log', b'2024-01-01 00:00:00.000 [DBG] PEER: Received \xff\xfe\xc3(Init) from 02\xc0\xaf@x\n')
    put('logs', 'cr-lf-mixed.log', b'2024-01-01 00:00:00.000 [DBG] PEER: a\r\r\n2024-01-01 00:00:00.000 [DBG] PEER: b\n\r\n\r'
                                  b'2024-01-01T00:00:00.000Z 02' + b'00' * 32 + b'-connectd: [IN] 0010\r\n')
    times = [b'0000-00-00 00:00:00.000', b'9999-12-31 23:59:59.999', b'2024-02-30 25:61:61.999999999',
             b'-001-01-01 00:00:00.000', b'2024-01-01T00:00:00.000+99:99', b'99999999999999999999-01-01 00:00:00.000']
    text = b''
    for t in times:
        text += t + b' [DBG] PEER: Peer(02' + b'00' * 32 + b'): Received Ping(ping_bytes=0) from 02' + b'00' * 32 + b'\n'
        text += t.replace(b' ', b'T') + b'Z 02' + b'00' * 32 + b'-connectd: [IN] 00120000000000\n'
        text += t + b' DEBUG c.a.e.io.Peer n:02' + b'00' * 32 + b' - IN msg=Ping(0,ByteVector(0 bytes, 0x))\n'
    put('logs', 'times-at-the-limits.log', text)
    put('logs', 'hex-odd-and-huge.hex', b'0\n' + b'f' * 200001 + b'\n' + b'00' * 2 + b'\n' + b'ffff' + b'00' * 70000 + b'\n')

    # --- wire ---
    # TLV records whose BigSize length claims 2^32 and 2^64 - 1 bytes, after an init.
    init = bytes.fromhex('0010') + bytes.fromhex('0000') + bytes.fromhex('0000')
    put('wire', 'tlv-length-4g', init + bytes.fromhex('01') + bytes.fromhex('fe') + (0xffffffff).to_bytes(4, 'big'))
    put('wire', 'tlv-length-2e64', init + bytes.fromhex('03') + bytes.fromhex('ff') + b'\xff' * 8)
    put('wire', 'tlv-type-2e64', init + bytes.fromhex('ff') + b'\xff' * 8 + b'\x00')
    put('wire', 'u16-length-past-end', bytes.fromhex('0012') + bytes.fromhex('0004') + bytes.fromhex('ffff'))
    put('wire', 'empty', b'')
    put('wire', 'one-byte', b'\x00')

    # --- transport: the largest frames, and lengths at the edge ---
    put('transport', 'max-lengths', bytes([0, 255]) + bytes([63]) + b'\xff' * 63 + bytes([0]) * 40)
    put('transport', 'corrupted', bytes([2, 13]) + b''.join(bytes([n]) + b'\x01' * n for n in range(64)))

    # --- key logs ---
    put('keylog', 'bad-lines', b'\0\xff\n' + b'a' * 200000 + b'\n' + b'0' * 66 + b' ' + b'z' * 64 + b'\n'
                               + b'CLIENT_RANDOM ' + b'1' * 64 + b' ' + b'2' * 96 + b'\r\n')
    put('scenario', 'hostile', b'node \0\nnode ' + b'a' * 100000 + b'\nconnect a a\nrepeat 4294967296\n'
                               + b'alice -> bob update_add_htlc id=18446744073709551616 amount_msat=-1\n\xff\xfe\n')
    put('profile', 'hostile', b'profile x\nqueue ' + b'q ' * 50000 + b'\nwindow 18446744073709551616\nfails \xff\n'
                              + b'known k first= second= outcome= observed="\n')
    # Rules: a record claiming 65,535 bytes with none after it; a burst of new connections.
    put('rules', 'short-record', bytes([0, 0xff, 0xff]) + b'\x00\x10')
    put('rules', 'connections', b''.join(bytes([2, 0, 6]) + bytes.fromhex('001000000000') for _ in range(5000)))


if __name__ == '__main__':
    main()
