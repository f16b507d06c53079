#!/usr/bin/env python3
"""Blind mutation campaign against the lntrace executable, as a user would run it.

Takes the bundled captures, logs and hex dumps (Fixtures/captures, Fixtures/logs,
Fixtures/hex), mutates copies (bit flips, boundary values written over integers, truncation,
splicing two inputs) and runs `lntrace check --format jsonl` on each, with the capture's key
log when it has one. A run fails the campaign when lntrace is killed by a signal, exits with
a status other than 0, 1 or 2, takes longer than the timeout, or writes a line that is not a
JSON object. Failing inputs are kept in .build/fuzz/mutate-failures/.

Usage: Scripts/fuzz/mutate.py LNTRACE SECONDS [--seed N] [--jobs N]
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOUNDARIES = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff]


def inputs():
    out = []
    for folder in ('Fixtures/captures', 'Fixtures/logs', 'Fixtures/hex'):
        for base, _, files in os.walk(os.path.join(ROOT, folder)):
            for name in sorted(files):
                if name.endswith(('.pcap', '.pcapng', '.log', '.hex')) and not name.startswith('keys'):
                    path = os.path.join(base, name)
                    if os.path.getsize(path) <= 4 << 20:
                        out.append(path)
    return sorted(out)


def keylog_for(path):
    folder = os.path.dirname(path)
    for name in sorted(os.listdir(folder)):
        if name.endswith('.keys') or (name.startswith('keys') and name.endswith('.log')):
            return os.path.join(folder, name)
    return None


def mutate(data, other, rng):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(('flip', 'boundary', 'truncate', 'splice', 'byte'))
        if not data:
            data = bytearray(other[:rng.randint(0, len(other))])
            continue
        if kind == 'flip':
            for _ in range(rng.randint(1, 16)):
                i = rng.randrange(len(data))
                data[i] ^= 1 << rng.randrange(8)
        elif kind == 'byte':
            i = rng.randrange(len(data))
            data[i] = rng.randrange(256)
        elif kind == 'boundary':
            width = rng.choice((1, 2, 4))
            value = rng.choice(BOUNDARIES) & ((1 << (8 * width)) - 1)
            i = rng.randrange(max(1, len(data) - width + 1))
            data[i:i + width] = value.to_bytes(width, rng.choice(('big', 'little')))
        elif kind == 'truncate':
            data = data[:rng.randrange(len(data) + 1)]
        else:
            a = rng.randrange(len(data) + 1)
            b = rng.randrange(len(other) + 1)
            data = data[:a] + other[b:]
    return bytes(data)


def run_one(lntrace, files, seed, timeout, failures):
    rng = random.Random(seed)
    path = rng.choice(files)
    other = open(rng.choice(files), 'rb').read()
    data = mutate(open(path, 'rb').read(), other, rng)
    suffix = os.path.splitext(path)[1]
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as f:
        f.write(data)
        name = f.name
    args = [lntrace, 'check', '--format', 'jsonl', '--hazards', 'lnd']
    keys = keylog_for(path)
    if keys:
        args += ['--keylog', keys]
    args.append(name)
    problem = None
    try:
        result = subprocess.run(args, capture_output=True, timeout=timeout)
        if result.returncode not in (0, 1, 2):
            problem = f'exit status {result.returncode}: {result.stderr[-300:].decode(errors="replace")}'
        else:
            for line in result.stdout.splitlines():
                try:
                    ok = isinstance(json.loads(line), dict)
                except ValueError:
                    ok = False
                if not ok:
                    problem = f'not a JSON object: {line[:200]!r}'
                    break
        status = result.returncode
    except subprocess.TimeoutExpired:
        problem = f'no result after {timeout} s'
        status = 'timeout'
    if problem:
        os.makedirs(failures, exist_ok=True)
        kept = os.path.join(failures, f'{seed}{suffix}')
        os.replace(name, kept)
        return status, f'{os.path.relpath(path, ROOT)} (seed {seed}): {problem} -> {kept}'
    os.unlink(name)
    return status, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('lntrace')
    parser.add_argument('seconds', type=float)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--timeout', type=float, default=30)
    options = parser.parse_args()
    files = inputs()
    failures = os.path.join(ROOT, '.build', 'fuzz', 'mutate-failures')
    start = time.monotonic()
    statuses = {}
    problems = []
    runs = 0
    seed = options.seed * 1_000_000
    with ThreadPoolExecutor(options.jobs) as pool:
        while time.monotonic() - start < options.seconds:
            batch = [pool.submit(run_one, options.lntrace, files, seed + i, options.timeout, failures)
                     for i in range(options.jobs * 4)]
            seed += len(batch)
            for future in batch:
                status, problem = future.result()
                runs += 1
                statuses[status] = statuses.get(status, 0) + 1
                if problem:
                    problems.append(problem)
                    print(problem, flush=True)
    elapsed = time.monotonic() - start
    print(f'{runs} mutated inputs from {len(files)} files in {elapsed:.0f} s; exit statuses: '
          + ', '.join(f'{k}: {v}' for k, v in sorted(statuses.items(), key=str)) + f'; failures: {len(problems)}')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
