#!/usr/bin/env python3
"""Extract the BOLT #1 and BOLT #8 test vectors into Fixtures/spec/.

The vectors are data from the spec (lightning/bolts, CC BY 4.0): BigSize (Appendix A),
TLV streams for the `n1`/`n2` namespaces (Appendix B), message extensions (Appendix C)
and signed integers (Appendix D). The Swift tests read the JSON, so a spec update is
picked up by re-running this script, never by editing test code.

BOLT #8 Appendix A (handshake acts for both roles, final keys, message encryption with
key rotation) goes to bolt8-vectors.json.

BOLT #3 Appendices C (commitment and HTLC transactions), D (per-commitment secrets: generation
and compact storage), E (key derivation) and F (the same with anchors) go to bolt3-vectors.json.

Usage: extract-spec-vectors.py SPEC_DIR OUT_DIR
"""
import json
import re
import sys
from pathlib import Path


def json_blocks(text):
    return [json.loads(b) for b in re.findall(r'```json\n(.*?)```', text, re.S)]


def streams(section, key):
    """`1. Invalid stream: 0x..` / `2. Reason: ..` pairs (or Valid/Explanation/Values)."""
    out = []
    pat = re.compile(r'1\. (?:Invalid|Valid) stream: 0x([0-9a-f ]*)\n2\. (?:Reason|Explanation|Values): (.*)')
    for hexpart, note in pat.findall(section):
        out.append({'stream': hexpart.replace(' ', ''), key: note.strip()})
    return out


def between(text, start, end):
    i = text.index(start)
    j = text.index(end, i + len(start)) if end else len(text)
    return text[i:j]


def bolt8(text):
    """The `name:` blocks of BOLT #8 Appendix A, in order, with their inputs and outputs."""
    cases = []
    for block in re.findall(r'```\n(.*?)```', text, re.S):
        current = None
        for raw in block.splitlines():
            line = raw.strip()
            if not line or line.startswith('#'):
                continue
            m = re.match(r'([a-z.A-Z0-9 ]+?)\s*[:=]\s*(.*)$', line)
            if not m:
                continue
            key, value = m.group(1).strip(), m.group(2).strip()
            if key == 'name':
                current = {'name': value, 'inputs': [], 'outputs': []}
                cases.append(current)
            elif current is None:
                continue
            elif key == 'input':
                current['inputs'].append(value.removeprefix('0x'))
            elif key == 'output':
                current['outputs'].append(value.removeprefix('0x'))
            elif key.startswith('output '):
                current.setdefault('messages', {})[key.split()[1]] = value.removeprefix('0x')
            else:
                current[key] = value.removeprefix('0x')
    return cases


def bolt3(text):
    """Appendix C's parameters and vectors, Appendix D's per-commitment secrets, Appendix E's
    derivations, Appendix F's anchors."""
    c = between(text, '# Appendix C: Commitment and HTLC Transaction Test Vectors', '# Appendix D')
    params, htlcs = {}, {}
    head = c.split('And, here are the test vectors themselves:')[0]
    for line in head.splitlines():
        m = re.match(r'\s*(?:INTERNAL: )?([a-z_]+): ([0-9a-f]+)$', line)
        if m:
            params[m.group(1)] = m.group(2)
        m = re.match(r'\s*htlc (\d+) (direction|amount_msat|expiry|payment_preimage): (\S+)$', line)
        if m:
            htlcs.setdefault(int(m.group(1)), {})[m.group(2)] = m.group(3)
    vectors = []
    body = c.split('And, here are the test vectors themselves:')[1]
    for block in re.split(r'\n\s*name: ', body)[1:]:
        name, rest = block.split('\n', 1)
        v = {'name': name.strip(), 'htlcs': []}
        for line in rest.splitlines():
            line = line.strip()
            m = re.match(r'(to_local_msat|to_remote_msat|local_feerate_per_kw|num_htlcs): (\d+)$', line)
            if m:
                v[m.group(1)] = int(m.group(2))
            m = re.match(r'remote_signature = ([0-9a-f]+)$', line)
            if m:
                v['remote_signature'] = m.group(1)
            m = re.match(r'output commit_tx: ([0-9a-f]+)$', line)
            if m:
                v['commit_tx'] = m.group(1)
            m = re.match(r'remote_htlc_signature = ([0-9a-f]+)$', line)
            if m:
                v['htlcs'].append({'remote_signature': m.group(1)})
            m = re.match(r'htlc_(success|timeout)_tx \(htlc #(\d+)\): ([0-9a-f]+)$', line)
            if m:
                v['htlcs'][-1].update({'kind': m.group(1), 'htlc': int(m.group(2)), 'tx': m.group(3)})
        vectors.append(v)
    d = between(text, '# Appendix D: Per-commitment Secret Generation Test Vectors', '# Appendix E')
    generation, storage = [], []
    for block in re.split(r'\n\s*name: ', d)[1:]:
        name, rest = block.split('\n', 1)
        fields = re.findall(r'^\s*(seed|I|secret|output): (\S+)$', rest, re.M)
        if fields and fields[0][0] == 'seed':
            v = dict(fields)
            generation.append({'name': name.strip(), 'seed': v['seed'].removeprefix('0x').lower(),
                               'index': int(v['I'], 0), 'output': v['output'].removeprefix('0x')})
        else:
            steps = []
            for key, value in fields:
                if key == 'I':
                    steps.append({'index': int(value, 0)})
                elif key == 'secret':
                    steps[-1]['secret'] = value.removeprefix('0x')
                elif key == 'output':
                    steps[-1]['ok'] = value == 'OK'
            storage.append({'name': name.strip(), 'steps': steps})
    e = between(text, '# Appendix E: Key Derivation Test Vectors', '# Appendix F')
    derivation = {}
    for line in e.splitlines():
        m = re.match(r'\s*([a-z_]+): 0x([0-9a-f]+)$', line)
        if m:
            derivation[m.group(1)] = m.group(2)
    f = between(text, '# Appendix F: Commitment and HTLC Transaction Test Vectors (anchors)', '# Appendix G')
    anchors = json.loads(re.search(r'```yaml\n(.*?)```', f, re.S).group(1))
    return {
        'source': 'lightning/bolts 03-transactions.md, Appendices C, D, E and F (CC BY 4.0)',
        'parameters': params,
        'htlcs': [htlcs[i] for i in sorted(htlcs)],
        'commitments': vectors,
        'per_commitment_secrets': {'generation': generation, 'storage': storage},
        'key_derivation': derivation,
        'anchors': anchors,
    }


def main():
    spec = Path(sys.argv[1] if len(sys.argv) > 1 else '../shared/spec')
    out_dir = Path(sys.argv[2] if len(sys.argv) > 2 else 'Fixtures/spec')
    transport = (spec / '08-transport.md').read_text()
    appendix = between(transport, '# Appendix A: Transport Test Vectors', '# Acknowledgments')
    initiator = between(appendix, '## Initiator Tests', '## Responder Tests')
    responder = between(appendix, '## Responder Tests', '## Message Encryption Tests')
    messages = between(appendix, '## Message Encryption Tests', None)
    vectors8 = {
        'source': 'lightning/bolts 08-transport.md, Appendix A (CC BY 4.0)',
        'initiator': bolt8(initiator),
        'responder': bolt8(responder),
    }
    # The message test is indented with tabs and spaces mixed, outside a fenced block.
    msg = {'outputs': {}}
    for line in messages.splitlines():
        line = line.strip()
        m = re.match(r'(ck|sk|rk)=0x([0-9a-f]+)$', line)
        if m:
            msg[m.group(1)] = m.group(2)
        m = re.match(r'output (\d+): 0x([0-9a-f]+)$', line)
        if m:
            msg['outputs'][m.group(1)] = m.group(2)
    vectors8['messages'] = msg
    (out_dir / 'bolt8-vectors.json').write_text(json.dumps(vectors8, indent=1) + '\n')

    vectors3 = bolt3((spec / '03-transactions.md').read_text())
    (out_dir / 'bolt3-vectors.json').write_text(json.dumps(vectors3, indent=1) + '\n')

    text = (spec / '01-messaging.md').read_text()
    a = between(text, '## Appendix A', '## Appendix B')
    dec, enc = json_blocks(a)
    b = between(text, '## Appendix B', '## Appendix C')
    failures = between(b, '### TLV Decoding Failures', '### TLV Decoding Successes')
    any_ns = between(failures, 'should trigger a decoding failure:', 'The following TLV streams in either')
    any_even = between(failures, 'The following TLV streams in either', 'The following TLV streams in namespace `n1`')
    n1_fail = between(failures, 'The following TLV streams in namespace `n1`', None)
    successes = between(b, '### TLV Decoding Successes', '### TLV Stream Decoding Failure')
    ignored = between(successes, 'should correctly decode,\nand be ignored', 'The following TLV streams in `n1`')
    n1_ok = between(successes, 'The following TLV streams in `n1`', None)
    stream_fail = between(b, '### TLV Stream Decoding Failure', None)
    sf_n1 = between(stream_fail, 'namespace `n1` should', 'namespace `n2` should')
    sf_n2 = between(stream_fail, 'namespace `n2` should', None)
    c = between(text, '## Appendix C', '## Appendix D')
    init_valid = between(c, 'The following `init` messages are valid:', 'The following `init` messages are invalid:')
    init_invalid = between(c, 'The following `init` messages are invalid:', 'Note that')
    msg = re.compile(r'- `0x([0-9a-f]+)`: (.*)')
    d = between(text, '## Appendix D', '## Acknowledgments')
    out = {
        'source': 'lightning/bolts 01-messaging.md, Appendices A-D (CC BY 4.0)',
        'bigsize_decoding': dec,
        'bigsize_encoding': enc,
        'tlv_invalid_any_namespace': streams(any_ns, 'reason') + streams(any_even, 'reason'),
        'tlv_invalid_n1': streams(n1_fail, 'reason'),
        'tlv_valid_ignored': streams(ignored, 'explanation'),
        'tlv_valid_n1': streams(n1_ok, 'values'),
        'tlv_stream_invalid_n1': streams(sf_n1, 'reason'),
        'tlv_stream_invalid_n2': streams(sf_n2, 'reason'),
        'init_valid': [{'message': h, 'note': n} for h, n in msg.findall(init_valid)],
        'init_invalid': [{'message': h, 'note': n} for h, n in msg.findall(init_invalid)],
        'signed_integers': json_blocks(d)[0],
    }
    (out_dir / 'bolt1-vectors.json').write_text(json.dumps(out, indent=1) + '\n')


if __name__ == '__main__':
    main()
