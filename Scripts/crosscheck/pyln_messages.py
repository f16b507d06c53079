#!/usr/bin/env python3
"""Encode every BOLT #1/#2/#7 message type with pyln-proto, an independent encoder.

Writes JSON Lines, one message per line:
  {"name": ..., "type_number": ..., "variant": ..., "hex": ..., "fields": {...}, "tlvs": {...}}
where `fields` and `tlvs` are pyln-proto's own rendering (`Message.to_py()`) of the values it
was given. lntrace must decode `hex` to exactly these values.

Namespaces: pyln-spec's CSVs (pyln-bolt1/2/7 on PyPI, extracted by the bolts project) for
every message they define; lntrace's schema (Sources/Wire/Schema/wire.csv) only for message
types and TLV streams newer than pyln-spec (splicing, dual funding, stfu, ...).

Usage: pyln_messages.py [--seed N] [--count K] > messages.jsonl
"""
import argparse
import io
import json
import random
import sys
from pathlib import Path

from pyln.proto.message import Message, MessageNamespace
from pyln.proto.message.array_types import (DynamicArrayType, EllipsisArrayType,
                                            LengthFieldType, SizedArrayType)
from pyln.proto.message.fundamental_types import (BigSizeType, FundamentalHexType,
                                                  IntegerType, ShortChannelIDType,
                                                  TruncatedIntType)
from pyln.proto.message.message import SubtypeType, TlvStreamType
from pyln.spec.bolt1 import csv as bolt1_csv
from pyln.spec.bolt2 import csv as bolt2_csv
from pyln.spec.bolt7 import csv as bolt7_csv

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / 'Sources/Wire/Schema/wire.csv'


def to_pyln_dialect(line):
    """Our schema in pyln's dialect: `u8` is `byte`; a 4-byte truncated hash is 4 bytes."""
    parts = line.split(',')
    if parts[0] in ('msgdata', 'subtypedata') and parts[3] == 'u8':
        parts[3] = 'byte'
    if parts[0] == 'tlvdata' and parts[4] == 'u8':
        parts[4] = 'byte'
    if parts[0] == 'tlvdata' and parts[4] == 'sha256[..4]':
        parts[4], parts[5] = 'byte', str(4 * int(parts[5]))
    return ','.join(parts)


def namespace():
    spec = list(bolt1_csv) + list(bolt2_csv) + list(bolt7_csv)
    ours = [to_pyln_dialect(l) for l in SCHEMA.read_text().splitlines() if l and not l.startswith('#')]
    have_msgs = {l.split(',')[1] for l in spec if l.startswith('msgtype,')}
    have_streams = {l.split(',')[1] for l in spec if l.startswith('tlvtype,')}
    have_subtypes = {l.split(',')[1] for l in spec if l.startswith('subtype,')}
    extra = []
    for l in ours:
        p = l.split(',')
        if p[0] in ('msgtype', 'msgdata') and p[1] not in have_msgs:
            extra.append(l)
        elif p[0] == 'msgdata' and p[2] == 'tlvs' and p[3] not in have_streams:
            extra.append(l)  # a newer TLV extension of a message pyln-spec has
        elif p[0] in ('tlvtype', 'tlvdata') and p[1] not in have_streams and p[1] not in ('n1', 'n2'):
            extra.append(l)
        elif p[0] in ('subtype', 'subtypedata') and p[1] not in have_subtypes:
            extra.append(l)
    return MessageNamespace(spec + extra), [l.split(',')[1] for l in ours if l.startswith('msgtype,')]


class Values:
    def __init__(self, rng):
        self.rng = rng

    def bytes(self, n):
        return bytes(self.rng.getrandbits(8) for _ in range(n))

    def integer(self, bits, signed=False):
        # Mix small values and full-width ones so every byte of the encoding is exercised.
        r = self.rng.random()
        if r < 0.2:
            v = self.rng.randrange(0, 256)
        elif r < 0.3:
            v = (1 << bits) - 1
        else:
            v = self.rng.getrandbits(bits)
        if signed:
            v -= 1 << (bits - 1)
        return v

    def value(self, ftype, short=False):
        if isinstance(ftype, ShortChannelIDType):
            return self.rng.getrandbits(64)
        if isinstance(ftype, IntegerType):
            signed = ftype.structfmt.lstrip('>') in 'bhiq'
            return self.integer(ftype.bytelen * 8, signed)
        if isinstance(ftype, TruncatedIntType):
            return self.integer(ftype.maxbytes * 8)
        if isinstance(ftype, BigSizeType):
            return self.rng.choice([0, 0xfc, 0xfd, 0xffff, 0x10000, 0xffffffff, 0x100000000,
                                    self.rng.getrandbits(64)])
        if isinstance(ftype, FundamentalHexType):
            data = self.bytes(ftype.bytelen)
            if ftype.name == 'point':
                data = bytes([2 + (data[0] & 1)]) + data[1:]
            return data
        if isinstance(ftype, SizedArrayType):
            return self.array(ftype.elemtype, ftype.arraysize)
        if isinstance(ftype, (DynamicArrayType, EllipsisArrayType)):
            n = self.rng.choice([0, 1, 2, 3, 5, 17] if not short else [0, 1, 2])
            if ftype.elemtype.name == 'byte':
                n = self.rng.choice([0, 1, 20, 33, 300])
            return self.array(ftype.elemtype, n)
        if isinstance(ftype, TlvStreamType):
            return None  # filled by the caller
        if isinstance(ftype, SubtypeType):
            return self.record(ftype)
        raise SystemExit(f'no generator for {ftype}')

    def array(self, elemtype, n):
        if isinstance(elemtype, IntegerType) and elemtype.name in ('byte', 'u8'):
            return self.bytes(n)
        return [self.value(elemtype, short=True) for _ in range(n)]

    def record(self, subtype):
        out = {}
        for f in subtype.fields:
            if isinstance(f.fieldtype, LengthFieldType):
                continue
            out[f.name] = self.value(f.fieldtype)
        return out


def tlv_values(values, stream, which, rng):
    out = {}
    for rec in stream.fields:
        if which == 'all' or (which == 'some' and rng.random() < 0.5):
            out[rec.name] = values.record(rec)
    if which == 'all':
        # An unknown odd record, which a reader must keep.
        last = max([r.number for r in stream.fields] + [0])
        out[last + 1 if last % 2 == 0 else last + 2] = values.bytes(rng.choice([0, 3, 40]))
        out[65537] = values.bytes(5)
    return out


def generate(ns, names, seed, count):
    rng = random.Random(seed)
    values = Values(rng)
    for name in names:
        mt = ns.get_msgtype(name)
        for i in range(count):
            fields = {}
            stream = None
            for f in mt.fields:
                if isinstance(f.fieldtype, LengthFieldType):
                    continue
                if isinstance(f.fieldtype, TlvStreamType):
                    stream = (f.name, f.fieldtype)
                    continue
                fields[f.name] = values.value(f.fieldtype)
            variants = ['bare']
            if stream is not None and stream[1].fields:
                variants += ['all', 'some']
            for variant in variants:
                v = dict(fields)
                if stream is not None and variant != 'bare':
                    v[stream[0]] = tlv_values(values, stream[1], variant, rng)
                msg = Message(mt, **v)
                buf = io.BytesIO()
                msg.write(buf)
                py = msg.to_py()
                tlvs = py.pop('tlvs', {}) if stream is not None else {}
                yield {'name': name, 'type_number': mt.number, 'variant': f'{variant}-{i}',
                       'hex': buf.getvalue().hex(), 'fields': py,
                       'tlvs': {str(k): (v.hex() if isinstance(v, bytes) else v) for k, v in tlvs.items()}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=2, help='random messages per type and variant')
    args = ap.parse_args()
    ns, names = namespace()
    for record in generate(ns, names, args.seed, args.count):
        print(json.dumps(record, sort_keys=False))


if __name__ == '__main__':
    main()
