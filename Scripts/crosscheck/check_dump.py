#!/usr/bin/env python3
"""Cross-check `lntrace dump --input-format hex --format jsonl -` against pyln-proto.

Encodes fresh random messages of every BOLT #1/#2/#7 type with pyln-proto (see
pyln_messages.py), pipes their hex through lntrace, and checks that every decoded
message carries exactly the field values pyln-proto was given.

Usage: check_dump.py LNTRACE_BINARY [--seed N] [--count K]
Exit status 0 when every message matches, 1 otherwise.
"""
import argparse
import json
import subprocess
import sys

from pyln_messages import generate, namespace


def same(ours, theirs, path, errors):
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            errors.append(f'{path}: expected an object, got {ours!r}')
            return
        for key, value in theirs.items():
            if key not in ours:
                errors.append(f'{path}: missing {key}')
            else:
                same(ours[key], value, f'{path}.{key}', errors)
        for key, value in ours.items():
            if key not in theirs and not isinstance(value, int):
                errors.append(f'{path}: unexpected {key}={value!r}')
    elif isinstance(theirs, list):
        if not isinstance(ours, list) or len(ours) != len(theirs):
            errors.append(f'{path}: expected {len(theirs)} elements, got {ours!r:.80}')
            return
        for i, (a, b) in enumerate(zip(ours, theirs)):
            same(a, b, f'{path}[{i}]', errors)
    elif isinstance(theirs, str) and isinstance(ours, list):
        if ''.join(ours) != theirs:  # a fixed array of short hashes pyln sees as bytes
            errors.append(f'{path}: {ours!r:.80} != {theirs!r:.80}')
    elif ours != theirs:
        errors.append(f'{path}: {ours!r:.80} != {theirs!r:.80}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('lntrace')
    ap.add_argument('--seed', type=int, default=20261125)
    ap.add_argument('--count', type=int, default=5)
    args = ap.parse_args()
    ns, names = namespace()
    expected = list(generate(ns, names, args.seed, args.count))
    hex_input = ''.join(e['hex'] + '\n' for e in expected)
    run = subprocess.run([args.lntrace, 'dump', '--input-format', 'hex', '--format', 'jsonl', '-'],
                         input=hex_input.encode(), capture_output=True)
    lines = [json.loads(l) for l in run.stdout.decode().splitlines()]
    messages = [l for l in lines if l.get('kind') == 'message']
    errors = []
    if run.returncode != 0:
        errors.append(f'lntrace exited {run.returncode}: {run.stderr.decode()[:500]}')
    if len(messages) != len(expected):
        errors.append(f'{len(expected)} messages sent, {len(messages)} decoded')
    for i, (ours, theirs) in enumerate(zip(messages, expected)):
        where = f'line {i + 1} ({theirs["name"]} {theirs["variant"]})'
        if ours['type'] != theirs['name'] or ours['type_number'] != theirs['type_number']:
            errors.append(f'{where}: decoded as {ours["type"]}')
            continue
        same(ours['fields'], theirs['fields'], where + ' fields', errors)
        same(ours['tlvs'], theirs['tlvs'], where + ' tlvs', errors)
    types = {e['name'] for e in expected}
    for e in errors[:50]:
        print('MISMATCH', e)
    print(f'{len(expected)} messages of {len(types)} types encoded by pyln-proto; '
          f'{len(messages)} decoded by lntrace; {len(errors)} mismatches')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
