#!/usr/bin/env bash
# Runs the Wireshark Lua plugin nayutaco/lightning-dissector (last commit 8aa07e8, 2019) under
# tshark on a capture, for a side-by-side comparison with lntrace.
#
# Usage: Scripts/bench/tshark-lightning.sh [--plain] CAPTURE KEYLOG [-- EXTRA-TSHARK-ARGS...]
#   --plain: time tshark alone (no plugin, no Lightning decoding), with the same heuristics off.
#   e.g. Scripts/bench/tshark-lightning.sh Fixtures/captures/synth/three-connections.pcap \
#            Fixtures/captures/synth/three-connections.keys
# Prints the time tshark took, how many Lightning messages the plugin decrypted (occurrences
# of its field lightning.length.deserialized) and how many Lua errors it raised (expert
# messages "Lua Error: ...", e.g. "MAC does not match"). Extra arguments after -- go to tshark.
#
# Setup (idempotent, everything under .build/tshark-lightning/, which git ignores):
# - Debian packages (installed with apt-get when missing, as root): tshark, lua5.2,
#   liblua5.2-dev, lua-compat53, lua-zlib, lua-rex-pcre2, lua-inspect, lua-basexx, python3-cryptography.
# - From GitHub (or a local mirror in $LNTRACE_MIRROR/<owner>+<name>/repo, default /work/.mirror):
#   nayutaco/lightning-dissector @8aa07e8, its submodule nayutaco/plc @f1ddd31 (branch lua5.2:
#   pure-Lua ChaCha20), kikito/middleclass v4.1.1, nayutaco/poly1305.lua (the "poly1305" rock:
#   a C binding, built here with gcc) and floodyberry/poly1305-donna @e6ad6e0 (its submodule).
# - Deviations from the plugin's rockspec, none in the plugin's own code:
#   * lrexlib-pcre (rex_pcre) is not in Debian 12; a 3-line module rex_pcre.lua forwards to
#     Debian's lua-rex-pcre2 (same lrexlib API; the plugin only uses gsub "^~" and match).
#   * poly1305.lua's binding.c lacks the {NULL, NULL} end of its luaL_Reg array (undefined
#     behaviour in luaL_newlib); the copy built here adds it.
#   * The plugin prepends ~/.luarocks to package.path; a loader script (loader.lua) given to
#     tshark with -X lua_script: puts the vendored modules first instead, so nothing is
#     installed in $HOME.
#
# Key logs: the plugin wants one line "<16-byte MAC of the encrypted length of an epoch's
# first message> <that epoch's key>" per direction per 500 messages (it never derives a
# rotated key). lntrace synth writes by default "<act-one ephemeral key> <final chaining
# key>", one line per connection. keylog-convert.py turns the latter into the former: it
# reads the capture's TCP payloads (tshark, no reassembly), finds each connection's act one,
# derives both directions' keys (HKDF, rotation every 1000 nonces), walks the frames by
# decrypting their lengths and prints each epoch's first length MAC and key (the same lines
# `lntrace synth` writes with the scenario option `keylog mac`). Lines already in the
# plugin's format are passed through.
#
# Ports: the plugin only registers tcp.port 9735. For every other responder port found by
# the conversion, the script adds "-d tcp.port==P,lightning" (Wireshark's "Decode As", as
# the plugin's README tells users to do).
#
# Heuristic dissectors: tshark is run with --disable-heuristic for every TCP heuristic
# dissector enabled by default (all 66 in Wireshark 4.0.17, listed below). Encrypted
# Lightning payloads look random, and a TCP heuristic that claims one random segment makes
# TCP reassemble everything after it: with `thrift` this was measured super-linear (50k
# packets 32 s, 100k > 300 s). With the plugin on the port, the port dissector is tried
# first, but frames it does not take (other ports, handshake leftovers) would still reach
# the heuristics. The conversion pass also runs with tcp.desegment_tcp_streams:FALSE.
#
# Known plugin limits seen on lntrace's fixtures (not fixed here, to measure it as it is):
# update_fail_htlc always raises a Lua error (typo `paced_len` in its deserializer), which
# also drops the rest of that TCP segment's messages; retransmitted, reordered or lost
# segments put its nonce out of step ("MAC does not match"); a capture that starts after
# the handshake gives no key-log lines here (the conversion needs act one).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/.build/tshark-lightning
mirror=${LNTRACE_MIRROR:-/work/.mirror}

plain=0
if [ "${1:-}" = "--plain" ]; then
    plain=1
    shift
fi
if [ $# -lt 2 ]; then
    sed -n '5,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
capture=$(realpath "$1")
keylog=$(realpath "$2")
shift 2
[ "${1:-}" = "--" ] && shift

# --- setup ---------------------------------------------------------------------------------
need_pkgs=()
for p in tshark lua5.2 liblua5.2-dev lua-compat53 lua-zlib lua-rex-pcre2 lua-inspect lua-basexx python3-cryptography; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
    echo "installing Debian packages: ${need_pkgs[*]}" >&2
    sudo=; [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get install -y --no-install-recommends "${need_pkgs[@]}" >&2 \
        || { $sudo apt-get update >&2 && $sudo apt-get install -y --no-install-recommends "${need_pkgs[@]}" >&2; }
fi

# clone OWNER/NAME COMMIT DEST: a checkout of COMMIT, from the local mirror when there is one.
clone() {
    local repo=$1 commit=$2 dest=$3 url
    if [ -d "$dest/.git" ] && [ "$(git -C "$dest" rev-parse HEAD)" = "$(git -C "$dest" rev-parse "$commit^{commit}" 2>/dev/null)" ]; then
        return
    fi
    url=$mirror/${repo/\//+}/repo
    [ -d "$url" ] || url=https://github.com/$repo.git
    rm -rf "$dest"
    git clone -q "$url" "$dest"
    git -C "$dest" -c advice.detachedHead=false checkout -q "$commit"
}

mkdir -p "$dir/src" "$dir/lua/lightning-dissector/deserializers" "$dir/lua/plc52" "$dir/lib"
clone nayutaco/lightning-dissector 8aa07e8fa155 "$dir/src/lightning-dissector"
clone nayutaco/plc f1ddd31104c848c677d7c312c6d2307ed2e96e91 "$dir/src/plc"
clone kikito/middleclass v4.1.1 "$dir/src/middleclass"
clone nayutaco/poly1305.lua d47a4e7 "$dir/src/poly1305.lua"
clone floodyberry/poly1305-donna e6ad6e091d30d7f4ec2d4f978be1fcfcbce72781 "$dir/src/poly1305-donna"

# Lay the modules out as the rockspec's build.modules does (src/x.lua -> lightning-dissector.x).
ld=$dir/src/lightning-dissector
(cd "$ld/src" && find . -name '*.lua') | while read -r f; do
    install -D -m 644 "$ld/src/$f" "$dir/lua/lightning-dissector/$f"
done
cp "$dir/src/plc/plc/bin.lua" "$dir/src/plc/plc/chacha20.lua" "$dir/lua/plc52/"
cp "$dir/src/middleclass/middleclass.lua" "$dir/lua/"
cat > "$dir/lua/rex_pcre.lua" <<'EOF'
-- lrexlib-pcre is not packaged for Debian 12; lrexlib-pcre2 has the same API.
return require "rex_pcre2"
EOF

if [ ! -f "$dir/lib/poly1305.so" ] || [ "$dir/lib/poly1305.so" -ot "$dir/src/poly1305.lua/binding.c" ]; then
    sed 's/{"auth", poly1305_auth_binding}/{"auth", poly1305_auth_binding}, {NULL, NULL}/' \
        "$dir/src/poly1305.lua/binding.c" > "$dir/src/binding.c"
    gcc -O2 -fPIC -shared -I/usr/include/lua5.2 -I"$dir/src/poly1305-donna" \
        "$dir/src/binding.c" "$dir/src/poly1305-donna/poly1305-donna.c" -o "$dir/lib/poly1305.so" -llua5.2
fi

cat > "$dir/loader.lua" <<EOF
-- Loads lightning-dissector with the modules vendored next to this file.
-- (The plugin prepends \$HOME/.luarocks/...; those paths do not exist, so ours win.)
package.path = "$dir/lua/?.lua;$dir/lua/?/init.lua;" .. package.path
package.cpath = "$dir/lib/?.so;" .. package.cpath
dofile("$dir/lua/lightning-dissector/wireshark-plugin.lua")
EOF

cat > "$dir/keylog-convert.py" <<'EOF'
"""Convert lntrace's '<66-hex act-one ephemeral key> <64-hex chaining key>' key-log lines into the
lightning-dissector's '<32-hex first length MAC of an epoch> <64-hex key>' lines, using the capture.
usage: keylog-convert.py KEYLOG PAYLOADS.tsv  (PAYLOADS: tshark fields stream, src, srcport, dstport,
seq, payload); prints the key log on stdout and 'ports: P ...' (responder ports) on stderr."""
import hashlib, hmac, struct, sys
from collections import defaultdict
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

def hkdf(salt, ikm):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    t1 = hmac.new(prk, b"\x01", hashlib.sha256).digest()
    t2 = hmac.new(prk, t1 + b"\x02", hashlib.sha256).digest()
    return t1, t2

ephemeral, out = {}, []
for line in open(sys.argv[1]):
    f = line.split("#")[0].split()
    if len(f) == 2 and len(f[0]) == 66:
        ephemeral[f[0].lower()] = bytes.fromhex(f[1])
    elif len(f) == 2 and len(f[0]) == 32:
        out.append(f"{f[0].lower()} {f[1].lower()}")

segments = defaultdict(list)  # (stream, src, srcport) -> [(seq, payload)]
dstport = {}
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    if len(f) < 6 or not f[5]:
        continue
    key = (f[0], f[1], f[2])
    segments[key].append((int(f[4]), bytes.fromhex(f[5].replace(":", ""))))
    dstport[key] = f[3]

def stream_bytes(segs):
    data, end = bytearray(), None
    for seq, p in sorted(segs, key=lambda s: s[0]):
        if end is None:
            end = seq
        if seq > end:
            break  # a gap: stop here
        if seq + len(p) > end:
            data += p[end - seq:]
            end = seq + len(p)
    return bytes(data)

data = {k: stream_bytes(v) for k, v in segments.items()}

def walk(buf, pos, ck, k):
    nonce = 0
    while pos + 18 <= len(buf):
        lc = buf[pos:pos + 18]
        if nonce == 0:
            out.append(f"{lc[2:].hex()} {k.hex()}")
        try:
            n = struct.unpack(">H", ChaCha20Poly1305(k).decrypt(b"\0" * 4 + struct.pack("<Q", nonce), lc, None))[0]
        except Exception:
            print(f"keylog-convert: a length MAC does not verify at offset {pos}", file=sys.stderr)
            return
        nonce += 2
        pos += 18 + n + 16
        if nonce == 1000:
            ck, k = hkdf(ck, k)
            nonce = 0

ports = set()
for key, buf in data.items():
    if len(buf) >= 50 and buf[0] == 0 and buf[1:34].hex() in ephemeral:
        ck = ephemeral[buf[1:34].hex()]
        k1, k2 = hkdf(ck, b"")
        walk(buf, 50 + 66, ck, k1)  # initiator: act one, act three, then messages
        back = [k2_ for k2_ in data if k2_[0] == key[0] and k2_ != key]
        for r in back:
            walk(data[r], 50, ck, k2)  # responder: act two, then messages
        ports.add(dstport[key])
if out:
    print("\n".join(out))
else:
    print("keylog-convert: no connection of the key log has its handshake in the capture", file=sys.stderr)
print("ports: " + " ".join(sorted(ports)), file=sys.stderr)
EOF

# The 66 TCP heuristic dissectors Wireshark 4.0.17 enables by default (see the header), by
# heuristic short name (`tshark -G heuristic-decodes` prints protocol names, which
# --disable-heuristic does not take). Another Wireshark version may lack some: then only thrift.
heuristics=()
for h in adwin_config_tcp bitcoin_tcp bittorrent_tcp ceph_tcp cimd_tcp classicstun_tcp ctdb_tcp \
    dcerpc_tcp dicom_tcp dplay_tcp drda_tcp etch_tcp fb_zero fcip_tcp fix_tcp fmtp_tcp giop_tcp \
    hi_tcp hl7_tcp http_tcp icep_tcp ifcp_tcp ipsec_tcp iscsi_tcp iwarp_mpa_tcp jxta_tcp \
    lanforge_tcp lbmpdm_tcp lbmsrs_tcp lbttcp_tcp mq_tcp msrp_tcp nbd_tcp ndmp_tcp \
    netperfmeter_tcp ocp1_tcp openflow_tcp openwire_tcp paltalk_tcp proxy_tcp pvfs_tcp q931_tcp \
    reload_framing_tcp reload_tcp rpc_tcp rpcap_tcp rtitcp rtps_tcp sip_tcp smc_tcp smpp_tcp \
    spice_tcp starteam_tcp stun_tcp tali_tcp tds_tcp thrift_tcp tls_tcp tuxedo_tcp ucp_tcp vnc_tcp \
    xcsl_tcp xmcp_tcp yhoo_tcp ymsg_tcp ziop_tcp; do
    heuristics+=(--disable-heuristic "$h")
done
if ! tshark -r "$capture" -c 1 "${heuristics[@]}" >/dev/null 2>&1; then
    echo "warning: this tshark lacks some of the heuristic names; disabling only thrift_tcp" >&2
    heuristics=(--disable-heuristic thrift_tcp)
fi

if [ "$plain" = 1 ]; then
    start=$(date +%s.%N)
    tshark -n -r "$capture" "${heuristics[@]}" "$@" > /dev/null 2>&1 || echo "tshark exited with status $?" >&2
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v c="$capture" 'BEGIN { printf "%s: tshark without Lightning decoding %.2f s\n", c, e - s }'
    exit 0
fi

# --- key log ---------------------------------------------------------------------------------
work=$dir/run
mkdir -p "$work"
keys=$work/$(basename "$capture").plugin-keys
# tcp.seq is relative to the SYN (so it survives a wrap at 2^32). IPv6: ip.src is empty; the
# stream number and port still tell the directions apart.
tshark -n -r "$capture" "${heuristics[@]}" -o tcp.desegment_tcp_streams:FALSE \
    -Y 'tcp.len > 0' -T fields -e tcp.stream -e ip.src -e tcp.srcport -e tcp.dstport -e tcp.seq -e tcp.payload \
    2>/dev/null > "$work/payloads.tsv"
python3 "$dir/keylog-convert.py" "$keylog" "$work/payloads.tsv" > "$keys" 2> "$work/convert.err"
grep -v '^ports:' "$work/convert.err" >&2 || true
rm -f "$work/payloads.tsv"
decode_as=()
for p in $(sed -n 's/^ports: //p' "$work/convert.err"); do
    [ "$p" = 9735 ] || decode_as+=(-d "tcp.port==$p,lightning")
done
echo "key log: $(wc -l < "$keys") lines in the plugin's format ($keys)${decode_as[*]:+; decode as: ${decode_as[*]}}"

# --- run -------------------------------------------------------------------------------------
out=$work/$(basename "$capture").fields
start=$(date +%s.%N)
tshark -n -r "$capture" -X lua_script:"$dir/loader.lua" "${heuristics[@]}" "${decode_as[@]}" \
    -o "lightning.key_log_paths:$keys" -o lightning.eclair_key_paths: \
    -o lightning.clightning_key_paths: -o lightning.lnd_key_paths: \
    -T fields -E occurrence=a -E aggregator='|' -e frame.number -e lightning.length.deserialized \
    -e lightning.payload.deserialized.type.number -e _ws.expert.message "$@" \
    > "$out" 2> "$work/tshark.err" || echo "tshark exited with status $?" >&2
end=$(date +%s.%N)
grep -v '^Running as user' "$work/tshark.err" | head -5 >&2 || true
# Column 2 holds one length per decrypted message; column 4 the frame's expert messages, where
# an error the plugin raised (e.g. "MAC does not match") shows as "Lua Error: ...".
awk -F'\t' -v s="$start" -v e="$end" -v c="$capture" '
    { if ($2 != "") m += split($2, a, "|"); n = split($4, x, "|"); for (i = 1; i <= n; i++) if (x[i] ~ /^Lua Error/) le++ }
    END { t = e - s; printf "%s: tshark + lightning-dissector %.2f s, %d Lightning messages decrypted (%.0f messages/s), %d Lua errors\n", c, t, m, m / t, le }' "$out"
echo "per-frame fields: $out"
