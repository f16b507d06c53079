#!/usr/bin/env python3
"""Compare lntrace's rule findings on a capture with verdicts derived independently.

CAPTURE_DIR holds one .pcapng capture, keys.log and expected.jsonl, as written by
Scripts/fixtures/pyln_channel_capture.py (or pyln_cascade_capture.py): one line per injected violation with `port`,
`connection` (0-based ordinal of the connection among those to that port, in time order; 0 when
absent), `index` (0-based position among all messages of that connection), `direction`, `type`,
`rules` and `why`.

Runs `LNTRACE dump` to learn each connection's responder port, then `LNTRACE check`, and compares
the set of (port, connection, index, rule) of lntrace's findings with expected.jsonl. Prints every
difference (and a direction/type disagreement on a matched finding counts as one). Each injected
message is one fault: of lntrace's findings on it exactly one must be a root (no `follows`), and
the others must follow it. Exit status 0
only when the two sets are equal; 1 otherwise; 2 when lntrace could not read the capture.

Usage: check_rules.py LNTRACE CAPTURE_DIR
"""
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path


def run_jsonl(args):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.stderr.write(p.stderr)
        raise SystemExit(f'{" ".join(args[:2])} failed with status {p.returncode}')
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    lntrace, cap = sys.argv[1], Path(sys.argv[2])
    captures = sorted(cap.glob('*.pcapng'))
    if len(captures) != 1:
        raise SystemExit(f'{cap}: expected one .pcapng capture, found {len(captures)}')
    common = ['--format', 'jsonl', '--keylog', str(cap / 'keys.log'), str(captures[0])]

    # Connection number -> (port, ordinal among the connections to that port).
    conns = [r for r in run_jsonl([lntrace, 'dump'] + common) if r.get('kind') == 'connection']
    by_port = defaultdict(list)
    for c in conns:
        port = int(c['responder'].rsplit(':', 1)[1])
        by_port[port].append(c)
    where = {}
    for port, cs in by_port.items():
        cs.sort(key=lambda c: (c['first_frame'], c['first_time']))
        for ordinal, c in enumerate(cs):
            where[c['connection']] = (port, ordinal)
            if c.get('decryption') != 'decrypted' or c.get('problems'):
                print(f'note: connection {c["connection"]} (port {port}) decryption='
                      f'{c.get("decryption")} problems={c.get("problems")}')

    expected = {}
    for line in (cap / 'expected.jsonl').read_text().splitlines():
        if not line.strip():
            continue
        e = json.loads(line)
        for rule in e['rules']:
            expected[(e['port'], e.get('connection', 0), e['index'], rule)] = e

    actual = {}
    for f in run_jsonl([lntrace, 'check'] + common):
        if f.get('kind') != 'finding':
            continue
        port, ordinal = where.get(f['connection'], (None, None))
        actual[(port, ordinal, f['index'], f['rule'])] = f

    differences = 0
    for key in sorted(set(expected) | set(actual), key=lambda k: (k[0] or 0, k[1] or 0, k[2], k[3])):
        port, ordinal, index, rule = key
        e, a = expected.get(key), actual.get(key)
        at = f'port {port} connection {ordinal} index {index}'
        if e and not a:
            differences += 1
            print(f'MISSING  {at} {e["direction"]} {e["type"]}: expected {rule} ({e["why"]}); '
                  f'lntrace did not report it')
        elif a and not e:
            differences += 1
            print(f'EXTRA    {at} {a["direction"]} {a["type"]}: lntrace reported {rule} '
                  f'[{a["severity"]}, {a.get("certainty")}]: {a["reason"]}')
        elif (e['direction'], e['type']) != (a['direction'], a['type']):
            differences += 1
            print(f'MESSAGE  {at} {rule}: expected {e["direction"]} {e["type"]}, lntrace names '
                  f'{a["direction"]} {a["type"]}')
        else:
            print(f'ok       {at} {a["direction"]} {a["type"]}: {rule}')
    # Root causes: one root per injected message, every other finding there follows it.
    injected = {key[:3] for key in expected}
    by_message = defaultdict(list)
    for (port, ordinal, index, rule), a in actual.items():
        if (port, ordinal, index) in injected:
            by_message[(port, ordinal, index)].append(a)
    for place, found in sorted(by_message.items(), key=lambda kv: tuple(x or 0 for x in kv[0])):
        roots = [a for a in found if 'follows' not in a]
        ids = {a['id'] for a in roots}
        at = f'port {place[0]} connection {place[1]} index {place[2]}'
        if len(roots) != 1:
            differences += 1
            print(f'ROOTS    {at}: {len(roots)} root findings ({", ".join(a["rule"] for a in roots)}), expected 1')
        for a in found:
            if 'follows' in a and a['follows'] not in ids:
                differences += 1
                print(f'FOLLOWS  {at}: {a["rule"]} follows #{a["follows"]}, not the root on its message')
    total_conns = len(where)
    print(f'{len(expected)} expected findings, {len(actual)} reported by lntrace, '
          f'{differences} differences ({total_conns} connections on {len(by_port)} ports)')
    sys.exit(0 if differences == 0 else 1)


if __name__ == '__main__':
    main()
