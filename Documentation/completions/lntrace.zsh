#compdef lntrace

__lntrace_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__lntrace_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __lntrace_complete "${completions[@]:0:-1}"
    fi
}

__lntrace_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_lntrace() {
    emulate -RL zsh -G
    setopt extendedglob nullglob numericglobsort
    unsetopt aliases banghist

    local -xr SAP_SHELL=zsh
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(builtin emulate zsh -c 'printf %s "${ZSH_VERSION}"')"
    local -r SAP_SHELL_VERSION

    local context state state_descr line
    local -A opt_args

    local -r command_name="${words[1]}"
    local -ar command_line=("${words[@]}")
    local -ir current_word_index="$((CURRENT - 1))"

    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'check:Check the inputs'\'' messages against the BOLT #1/#2 rules.'
            'dump:Decode and print every message of the inputs.'
            'stats:Count the inputs'\'' messages per connection and channel, by type and direction, with times, bytes and rates.'
            'rules:List the rules lntrace checks, with severity and BOLT section.'
            'explain:Explain a rule (what it checks, the spec text it enforces, an example) or a hazard kind.'
            'profiles:List the dispatch profiles for `check --hazards`, or print one (a starting point for your own).'
            'diagram:Draw a channel'\''s messages as a ladder (sequence) diagram, around its findings and hazards.'
            'synth:Make a real capture (and its key log) from a scenario file.'
            'help:Show subcommand help information.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        check|dump|stats|rules|explain|profiles|diagram|synth|help)
            "_lntrace_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_lntrace_check() {
    local -i ret=1
    local -ar ___input_format=('hex' 'pcap' 'lnd' 'cln' 'eclair' 'ldk')
    local -ar ___format=('text' 'json' 'jsonl' 'sarif' 'github' 'short')
    local -ar ___fail_on=('warning' 'error')
    local -ar ___color=('auto' 'always' 'never')
    local -ar ___time=('absolute' 'relative' 'delta')
    local -ar arg_specs=(
        '*:input:'
        '--input-format[The input format (hex|pcap|lnd|cln|eclair|ldk); when omitted, a capture is recognised by its first bytes and a log'\''s format line by line, inside journald, docker, Kubernetes, CI and other wrappers.]:format:{__lntrace_complete "${___input_format[@]}"}'
        '*--keylog[A BOLT #8 key log (repeatable)\: lines of '\''<32-hex length-MAC> <64-hex key>'\'' (lightning-dissector, eclair, ptarmigan) or '\''<66-hex act-one ephemeral key> <64-hex final chaining key>'\''.]:file:'
        '*--key[One key-log line given directly (repeatable).]:line:'
        '*--port[Only follow TCP connections on this port (repeatable); without it every port is searched for Lightning handshakes.]:port:'
        '--tz[The zone of log times that state none (lnd, eclair, journald'\''s short format)\: Europe/Zurich, CET, +01\:00; default UTC. A zone a line states wins.]:zone:'
        '--no-join[Read the logs of a connection'\''s two ends as separate traces (by default check, dump, stats and diagram join them\: Documentation/joining.md); each log file is then read once, not twice.]'
        '--require-keys[A capture connection without a key is an error even when others decrypt (by default it is then a warning).]'
        '*--alias[Name a node in reports (repeatable)\: an address (10.0.0.1=alice), an endpoint (127.0.0.1\:9735=bob) or a log'\''s peer node id or its first 8+ hex digits (03864ef0=carol).]:key=name:'
        '*--type[Only messages of these types (spec names, comma-separated, repeatable).]:types:'
        '--channel[Only messages of this channel\: a channel_id or temporary_channel_id prefix, or a log'\''s channel label.]:id:'
        '--peer[Only messages with this peer\: a node id prefix, an alias or an address.]:node:'
        '--connection[Only messages of this connection (its number in the report).]:n:'
        '--since[Only messages at or after this time (2024-01-18T09\:30\:00Z; UTC without a zone).]:time:'
        '--until[Only messages at or before this time.]:time:'
        '(-c --count)'{-c,--count}'[Stop after this many messages (those the filters select).]:n:'
        '--format[Output format\: text (readable), json (one document), jsonl (one object per line, streamed), sarif (SARIF 2.1.0), github (workflow commands) or short (one line per finding).]:format:{__lntrace_complete "${___format[@]}"}'
        '*--rules[Only these rules\: ids, prefixes ending in '\''-'\'', or globs with '\''*'\'' (v1-*-sig), comma-separated, any case (repeatable).]:ids:'
        '*--skip[Skip these rules (ids or prefixes, comma-separated, repeatable).]:ids:'
        '--fail-on[Exit with status 1 when there is a finding of this severity or above (error|warning).]:severity:{__lntrace_complete "${___fail_on[@]}"}'
        '--local[The node that recorded a capture, as lntrace labels it\: its address (10.0.0.1), or an endpoint (127.0.0.1\:9735).]:node:'
        '--color[Colour text output\: auto (on a terminal, unless NO_COLOR is set), always or never.]:when:{__lntrace_complete "${___color[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print only the findings (text output).]'
        '(--verbose -v)'{--verbose,-v}'[Also list why rules could not be evaluated, or not on every message, per channel (text output).]'
        '--messages[Also write every message (JSON Lines output).]'
        '--context[How many of the channel'\''s earlier messages a finding shows (text\: with the messages the rule refers to; JSON\: `context`).]:n:'
        '--time[Times in text context lines\: absolute (UTC), relative (seconds since the input'\''s first message) or delta (since the line before).]:mode:{__lntrace_complete "${___time[@]}"}'
        '--baseline[Findings accepted earlier\: a `check --format json` document or `--format jsonl` output; findings it holds are not reported.]:file:'
        '*--severity[Report a rule'\''s findings with another severity\: RULE=warning|error (RULE\: an id, prefix or glob; repeatable).]:rule=severity:'
        '--all[Print every finding of every rule (text output).]'
        '--max-per-rule[Print at most this many findings of one rule on one channel, then a count (text output; JSON keeps every finding).]:n:'
        '--hazards[Find reorder hazards under a dispatch profile\: a name (`lntrace profiles` lists them\: lnd, lnd-0.18, cln, eclair, ldk, strict, …) or a profile file; none to turn off. Default\: for an lnd log, the profile of the version its first line states (else lnd); none otherwise (Core Lightning, eclair and LDK process a channel'\''s messages in order\: a note says so).]:profile:'
        '--window[How far apart the two messages of a hazard may be\: a number of messages, or a time (500ms, 2s).]:window:'
        '--sequence[The inputs are one trace recorded in turn, in the order given (a rotated log, captures taken one after another)\: each channel'\''s and connection'\''s state carries from one to the next, and they are reported as one input. Without it each input is checked on its own.]'
        '(-j --jobs)'{-j,--jobs}'[Cores to use (default\: all). With more than one, the work that needs no order (reading and decrypting; check\: verifying signatures; dump\: formatting its lines) runs on the others while the input is read in order; the output is the same.]:n:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_lntrace_dump() {
    local -i ret=1
    local -ar ___input_format=('hex' 'pcap' 'lnd' 'cln' 'eclair' 'ldk')
    local -ar ___format=('text' 'json' 'jsonl')
    local -ar ___time=('absolute' 'relative' 'delta')
    local -ar arg_specs=(
        '*:input:'
        '--input-format[The input format (hex|pcap|lnd|cln|eclair|ldk); when omitted, a capture is recognised by its first bytes and a log'\''s format line by line, inside journald, docker, Kubernetes, CI and other wrappers.]:format:{__lntrace_complete "${___input_format[@]}"}'
        '*--keylog[A BOLT #8 key log (repeatable)\: lines of '\''<32-hex length-MAC> <64-hex key>'\'' (lightning-dissector, eclair, ptarmigan) or '\''<66-hex act-one ephemeral key> <64-hex final chaining key>'\''.]:file:'
        '*--key[One key-log line given directly (repeatable).]:line:'
        '*--port[Only follow TCP connections on this port (repeatable); without it every port is searched for Lightning handshakes.]:port:'
        '--tz[The zone of log times that state none (lnd, eclair, journald'\''s short format)\: Europe/Zurich, CET, +01\:00; default UTC. A zone a line states wins.]:zone:'
        '--no-join[Read the logs of a connection'\''s two ends as separate traces (by default check, dump, stats and diagram join them\: Documentation/joining.md); each log file is then read once, not twice.]'
        '--require-keys[A capture connection without a key is an error even when others decrypt (by default it is then a warning).]'
        '*--alias[Name a node in reports (repeatable)\: an address (10.0.0.1=alice), an endpoint (127.0.0.1\:9735=bob) or a log'\''s peer node id or its first 8+ hex digits (03864ef0=carol).]:key=name:'
        '--format[Output format\: text (readable), json (one document) or jsonl (one object per line, streamed).]:format:{__lntrace_complete "${___format[@]}"}'
        '*--type[Only messages of these types (spec names, comma-separated, repeatable).]:types:'
        '--channel[Only messages of this channel\: a channel_id or temporary_channel_id prefix, or a log'\''s channel label.]:id:'
        '--peer[Only messages with this peer\: a node id prefix, an alias or an address.]:node:'
        '--connection[Only messages of this connection (its number in the report).]:n:'
        '--since[Only messages at or after this time (2024-01-18T09\:30\:00Z; UTC without a zone).]:time:'
        '--until[Only messages at or before this time.]:time:'
        '(-c --count)'{-c,--count}'[Stop after this many messages (those the filters select).]:n:'
        '(--verbose -v)'{--verbose,-v}'[Show every field of every message (text output).]'
        '--raw[Also show each message'\''s bytes, type included, as hex (JSON\: "raw").]'
        '--time[Times in text output\: absolute (UTC, as the source gives them), relative (seconds since the first message) or delta (since the message before).]:mode:{__lntrace_complete "${___time[@]}"}'
        '(-j --jobs)'{-j,--jobs}'[Cores to use (default\: all). With more than one, the work that needs no order (reading and decrypting; check\: verifying signatures; dump\: formatting its lines) runs on the others while the input is read in order; the output is the same.]:n:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_lntrace_stats() {
    local -i ret=1
    local -ar ___input_format=('hex' 'pcap' 'lnd' 'cln' 'eclair' 'ldk')
    local -ar ___format=('text' 'json' 'jsonl')
    local -ar arg_specs=(
        '*:input:'
        '--input-format[The input format (hex|pcap|lnd|cln|eclair|ldk); when omitted, a capture is recognised by its first bytes and a log'\''s format line by line, inside journald, docker, Kubernetes, CI and other wrappers.]:format:{__lntrace_complete "${___input_format[@]}"}'
        '*--keylog[A BOLT #8 key log (repeatable)\: lines of '\''<32-hex length-MAC> <64-hex key>'\'' (lightning-dissector, eclair, ptarmigan) or '\''<66-hex act-one ephemeral key> <64-hex final chaining key>'\''.]:file:'
        '*--key[One key-log line given directly (repeatable).]:line:'
        '*--port[Only follow TCP connections on this port (repeatable); without it every port is searched for Lightning handshakes.]:port:'
        '--tz[The zone of log times that state none (lnd, eclair, journald'\''s short format)\: Europe/Zurich, CET, +01\:00; default UTC. A zone a line states wins.]:zone:'
        '--no-join[Read the logs of a connection'\''s two ends as separate traces (by default check, dump, stats and diagram join them\: Documentation/joining.md); each log file is then read once, not twice.]'
        '--require-keys[A capture connection without a key is an error even when others decrypt (by default it is then a warning).]'
        '*--alias[Name a node in reports (repeatable)\: an address (10.0.0.1=alice), an endpoint (127.0.0.1\:9735=bob) or a log'\''s peer node id or its first 8+ hex digits (03864ef0=carol).]:key=name:'
        '--format[Output format\: text (readable), json (one document) or jsonl (one object per line, streamed).]:format:{__lntrace_complete "${___format[@]}"}'
        '*--type[Only messages of these types (spec names, comma-separated, repeatable).]:types:'
        '--channel[Only messages of this channel\: a channel_id or temporary_channel_id prefix, or a log'\''s channel label.]:id:'
        '--peer[Only messages with this peer\: a node id prefix, an alias or an address.]:node:'
        '--connection[Only messages of this connection (its number in the report).]:n:'
        '--since[Only messages at or after this time (2024-01-18T09\:30\:00Z; UTC without a zone).]:time:'
        '--until[Only messages at or before this time.]:time:'
        '(-c --count)'{-c,--count}'[Stop after this many messages (those the filters select).]:n:'
        '(-j --jobs)'{-j,--jobs}'[Cores to use (default\: all). With more than one, the work that needs no order (reading and decrypting; check\: verifying signatures; dump\: formatting its lines) runs on the others while the input is read in order; the output is the same.]:n:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_lntrace_rules() {
    local -i ret=1
    local -ar ___format=('text' 'json' 'jsonl')
    local -ar arg_specs=(
        '--format[Output format\: text (readable), json (one document) or jsonl (one object per line, streamed).]:format:{__lntrace_complete "${___format[@]}"}'
        '--all[Also list the catalog'\''s requirements that are not rules\: those a trace cannot show (with the reason), those judged by another rule, and those not implemented yet.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_lntrace_explain() {
    local -i ret=1
    local -ar arg_specs=(
        ':rule:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_lntrace_profiles() {
    local -i ret=1
    local -ar arg_specs=(
        ':name:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_lntrace_diagram() {
    local -i ret=1
    local -ar ___input_format=('hex' 'pcap' 'lnd' 'cln' 'eclair' 'ldk')
    local -ar ___format=('mermaid' 'svg')
    local -ar arg_specs=(
        '*:input:'
        '--input-format[The input format (hex|pcap|lnd|cln|eclair|ldk); when omitted, a capture is recognised by its first bytes and a log'\''s format line by line, inside journald, docker, Kubernetes, CI and other wrappers.]:format:{__lntrace_complete "${___input_format[@]}"}'
        '*--keylog[A BOLT #8 key log (repeatable)\: lines of '\''<32-hex length-MAC> <64-hex key>'\'' (lightning-dissector, eclair, ptarmigan) or '\''<66-hex act-one ephemeral key> <64-hex final chaining key>'\''.]:file:'
        '*--key[One key-log line given directly (repeatable).]:line:'
        '*--port[Only follow TCP connections on this port (repeatable); without it every port is searched for Lightning handshakes.]:port:'
        '--tz[The zone of log times that state none (lnd, eclair, journald'\''s short format)\: Europe/Zurich, CET, +01\:00; default UTC. A zone a line states wins.]:zone:'
        '--no-join[Read the logs of a connection'\''s two ends as separate traces (by default check, dump, stats and diagram join them\: Documentation/joining.md); each log file is then read once, not twice.]'
        '--require-keys[A capture connection without a key is an error even when others decrypt (by default it is then a warning).]'
        '*--alias[Name a node in reports (repeatable)\: an address (10.0.0.1=alice), an endpoint (127.0.0.1\:9735=bob) or a log'\''s peer node id or its first 8+ hex digits (03864ef0=carol).]:key=name:'
        '--format[The diagram'\''s format\: mermaid (Mermaid sequenceDiagram text) or svg (a self-contained SVG image).]:format:{__lntrace_complete "${___format[@]}"}'
        '--channel[The channel to draw\: a channel_id or temporary_channel_id prefix, or a log'\''s channel label.]:id:'
        '--around[How many of the channel'\''s messages before and after each finding or hazard are drawn.]:n:'
        '--hazards[Find reorder hazards under a dispatch profile (as for check); none to turn off.]:profile:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_lntrace_synth() {
    local -i ret=1
    local -ar arg_specs=(
        ':scenario:'
        '(--output -o)'{--output,-o}'[The capture to write (pcap).]:file:'
        '--keylog[The key log to write.]:file:'
        '--messages[Also write every message sent as JSON Lines (connection, port, direction, type, length, sha256, hex when short, captured).]:file:'
        '*--log[Also write NODE'\''s log of the same messages, as its implementation would (repeatable)\: NODE=lnd|cln|cln-io|eclair|ldk\:PATH.]:node=style\:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_lntrace_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
        '--version[Show the version.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _lntrace ]]; then
    _lntrace "${@}"
else
    compdef _lntrace lntrace
fi
