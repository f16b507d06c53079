#!/usr/bin/env python3
"""Validate lntrace's JSON reports against the schemas in Documentation/schema, with the
`jsonschema` package (an independent validator).

Runs `LNTRACE check --format json` and `--format jsonl` on bundled inputs (captures with
findings and without, node logs, several inputs at once) and validates the document, and
every JSON Lines object against `$defs/line`; then the same with `dump` and its schema.
Exit status 0 when everything validates.

Usage: check_schema.py LNTRACE ROOT
"""
import json
import subprocess
import sys
from pathlib import Path

import jsonschema


def validators(root, name):
    """The validators of a schema's document and of its JSON Lines objects (`$defs/line`)."""
    schema = json.loads((root / f'Documentation/schema/{name}.schema.json').read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    line = {'$schema': schema['$schema'], '$defs': schema['$defs'], '$ref': '#/$defs/line'}
    return jsonschema.Draft202012Validator(schema), jsonschema.Draft202012Validator(line)


def validate(lntrace, command, args, lines_args, document, line):
    """Runs COMMAND in json and jsonl on ARGS; returns (checked, failures), printing each error."""
    checked = failures = 0
    out = subprocess.run([lntrace, command, '--format', 'json'] + args, capture_output=True, text=True).stdout
    for error in document.iter_errors(json.loads(out)):
        failures += 1
        print(f'{command} json {args[-1]}: {error.json_path}: {error.message}')
    checked += 1
    out = subprocess.run([lntrace, command, '--format', 'jsonl'] + lines_args + args, capture_output=True, text=True).stdout
    for text in out.splitlines():
        for error in line.iter_errors(json.loads(text)):
            failures += 1
            print(f'{command} jsonl {args[-1]}: {error.json_path}: {error.message}')
        checked += 1
    return checked, failures


def main():
    lntrace, root = sys.argv[1], Path(sys.argv[2])
    synth = root / 'Fixtures/captures/synth'
    runs = [
        ['--keylog', str(synth / 'out-of-order.keys'), str(synth / 'out-of-order.pcap')],
        ['--keylog', str(synth / 'channel-life.keys'), str(synth / 'channel-life.pcap'), str(root / 'Fixtures/logs/channel-life/alice-cln.log')],
        ['--keylog', str(root / 'Fixtures/captures/pyln-channels/keys.log'), str(root / 'Fixtures/captures/pyln-channels/channels.pcapng')],
        ['--keylog', str(synth / 'tcp-anomalies.keys'), str(synth / 'tcp-anomalies.pcap')],
        [str(root / 'Fixtures/logs/channel-life/bob-lnd.log'), str(root / 'Fixtures/hex/channel-life.hex')],
        ['--hazards', 'lnd', '--keylog', str(root / 'Fixtures/captures/hazards/lnd-8393.keys'), str(root / 'Fixtures/captures/hazards/lnd-8393.pcap')],
        [str(root / 'Fixtures/captures/hazards/lnd-8393.bob-lnd.log')],
    ]
    checked = failures = 0
    check = validators(root, 'check')
    for args in runs:
        c, f = validate(lntrace, 'check', args, ['--messages'], *check)
        checked, failures = checked + c, failures + f
    # dump's document and lines, against its own schema (whose records are check's).
    dump = validators(root, 'dump')
    for args in (args for args in runs if '--hazards' not in args):
        c, f = validate(lntrace, 'dump', args, ['--raw'], *dump)
        checked, failures = checked + c, failures + f
    print(f'{checked} documents and lines checked against the schemas, {failures} errors')
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
