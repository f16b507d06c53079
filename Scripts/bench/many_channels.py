#!/usr/bin/env python3
"""Time and peak memory of lntrace on traces of many channels (ROBUSTNESS.md "Bounds measured").

Usage: Scripts/bench/many_channels.py LNTRACE [COUNT ...]

For each COUNT it writes, to a temporary folder, a hex dump of COUNT `open_channel`s with
distinct temporary ids, and one of COUNT `update_add_htlc`s naming COUNT channels never
opened (both from Fixtures/hex/channel-life.hex), then runs `check --format jsonl`,
`check` and `stats` on each and prints seconds and peak RSS. Memory must stay flat as
COUNT grows, and time linear.
"""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write(path, first, counter, count, prefix=b''):
    line = bytearray(first)
    with open(path, 'w') as out:
        if prefix:
            out.write(prefix.hex() + '\n')
        for i in range(count):
            line[counter:counter + 4] = i.to_bytes(4, 'big')
            out.write(line.hex() + '\n')


def run(argv):
    start = time.monotonic()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    return time.monotonic() - start, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    lntrace = sys.argv[1]
    counts = [int(c) for c in sys.argv[2:]] or [10_000, 50_000, 200_000]
    life = Path(__file__).resolve().parents[2] / 'Fixtures/hex/channel-life.hex'
    lines = life.read_text().split('\n')
    opening = bytes.fromhex(next(l for l in lines if l.startswith('0020')))
    add = bytes.fromhex(next(l for l in lines if l.startswith('0080')))
    print(f'{"input":<34} {"command":<22} {"seconds":>8} {"peak MB":>8} {"exit":>4}')
    with tempfile.TemporaryDirectory() as folder:
        for count in counts:
            opens = Path(folder) / f'open-{count}.hex'
            adds = Path(folder) / f'add-{count}.hex'
            write(opens, opening, 34, count)  # the temporary_channel_id's first bytes
            write(adds, add, 2, count, prefix=opening)  # the channel_id's first bytes
            for path in (opens, adds):
                for command in (['check', '--format', 'jsonl'], ['check'], ['stats']):
                    seconds, peak, code = run([lntrace] + command + [str(path)])
                    print(f'{path.name:<34} {" ".join(command):<22} {seconds:8.2f} {peak:8d} {code:4d}')


if __name__ == '__main__':
    main()
