#!/usr/bin/env python3
"""Extract the BOLT wire message formats from the spec Markdown into CSV.

Reads the `1. type: N (`name`)` / `2. data:` / `* [`type`:`field`]` blocks of
BOLT #1, #2 and #7 and writes them in the CSV dialect pyln-proto reads
(msgtype, msgdata, tlvtype, tlvdata, subtype, subtypedata). The CSV drives both
`Scripts/wiregen.py` (our Swift codec) and the pyln-proto cross-check.

Usage: extract-wire-csv.py SPEC_DIR > Schema/wire.csv
"""
import re
import sys
from pathlib import Path

TYPE_RE = re.compile(r'^(\s*)1\. type: (\d+) \(`([a-z0-9_]+)`\)')
STREAM_RE = re.compile(r'^(\s*)1\. `tlv_stream`: `([a-z0-9_]+)`')
SUBTYPE_RE = re.compile(r'^(\s*)1\. subtype: `([a-z0-9_]+)`')
FIELD_RE = re.compile(r'^\s*\* \[`([^`]+)`:`([a-z0-9_]+)`\]')


def count_and_type(spec_type):
    """`len*byte` -> ('byte', 'len'); `u64` -> ('u64', '')."""
    if '*' in spec_type:
        count, typ = spec_type.split('*', 1)
        return typ, count
    return spec_type, ''


def extract(paths):
    out = []
    for path in paths:
        bolt = Path(path).name[:2]
        lines = Path(path).read_text().splitlines()
        heading = ''
        ctx = None  # ('msg', name) | ('stream', name) | ('tlv', stream, name) | ('subtype', name)
        stream = None
        for line in lines:
            if m := STREAM_RE.match(line):
                stream = m.group(2)
                ctx = ('stream', stream)
                continue
            if m := TYPE_RE.match(line):
                indent, num, name = m.groups()
                if indent == '':
                    ctx = ('msg', name)
                    stream = None
                    out.append(f'#section,{bolt},{heading}')
                    out.append(f'msgtype,{name},{num}')
                elif stream is not None:
                    ctx = ('tlv', stream, name)
                    out.append(f'tlvtype,{stream},{name},{num}')
                continue
            if m := SUBTYPE_RE.match(line):
                ctx = ('subtype', m.group(2))
                stream = None
                out.append(f'subtype,{m.group(2)}')
                continue
            if m := FIELD_RE.match(line):
                if ctx is None:
                    continue
                typ, count = count_and_type(m.group(1))
                field = m.group(2)
                if ctx[0] == 'msg':
                    out.append(f'msgdata,{ctx[1]},{field},{typ},{count}')
                elif ctx[0] == 'tlv':
                    out.append(f'tlvdata,{ctx[1]},{ctx[2]},{field},{typ},{count}')
                elif ctx[0] == 'subtype':
                    out.append(f'subtypedata,{ctx[1]},{field},{typ},{count}')
                continue
            if line.startswith('#'):
                heading = line.lstrip('#').strip().replace(',', ';')
                ctx = None
                stream = None
    return attach_implicit_streams(out)


def attach_implicit_streams(out):
    """BOLT #2 defines some extensions (`update_add_htlc_tlvs`, ...) without listing a `tlvs`
    field in the message's data; BOLT #1 makes every message's extension a TLV stream, so
    give such a message its `<name>_tlvs` stream as the last field."""
    streams = {l.split(',')[1] for l in out if l.startswith('tlvtype,')}
    used = {l.split(',')[3] for l in out if l.startswith('msgdata,')}
    result = []
    for i, line in enumerate(out):
        result.append(line)
        parts = line.split(',')
        if parts[0] not in ('msgtype', 'msgdata'):
            continue
        msg = parts[1]
        nxt = out[i + 1].split(',') if i + 1 < len(out) else ['']
        if nxt[0] == 'msgdata' and nxt[1] == msg:
            continue  # not the message's last field yet
        stream = f'{msg}_tlvs'
        if stream in streams and stream not in used:
            result.append(f'msgdata,{msg},tlvs,{stream},')
    return result


if __name__ == '__main__':
    spec = Path(sys.argv[1] if len(sys.argv) > 1 else '../shared/spec')
    files = [spec / f for f in ('01-messaging.md', '02-peer-protocol.md', '07-routing-gossip.md')]
    print('\n'.join(extract(files)))
