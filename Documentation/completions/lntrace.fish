function __lntrace_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __lntrace_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __lntrace_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __lntrace_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __lntrace_parse_tokens -S
    set -l unparsed_tokens (__lntrace_tokens -pc)
    switch $unparsed_tokens[1]
    case 'lntrace'
        __lntrace_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'check'
            __lntrace_parse_subcommand -r 1 'input-format=' 'keylog=+' 'key=+' 'port=+' 'tz=' 'no-join' 'require-keys' 'alias=+' 'type=+' 'channel=' 'peer=' 'connection=' 'since=' 'until=' 'c/count=' 'format=' 'rules=+' 'skip=+' 'fail-on=' 'local=' 'color=' 'q/quiet' 'v/verbose' 'messages' 'context=' 'time=' 'baseline=' 'severity=+' 'all' 'max-per-rule=' 'hazards=' 'window=' 'sequence' 'j/jobs=' 'version' 'h/help'
        case 'dump'
            __lntrace_parse_subcommand -r 1 'input-format=' 'keylog=+' 'key=+' 'port=+' 'tz=' 'no-join' 'require-keys' 'alias=+' 'format=' 'type=+' 'channel=' 'peer=' 'connection=' 'since=' 'until=' 'c/count=' 'v/verbose' 'raw' 'time=' 'j/jobs=' 'version' 'h/help'
        case 'stats'
            __lntrace_parse_subcommand -r 1 'input-format=' 'keylog=+' 'key=+' 'port=+' 'tz=' 'no-join' 'require-keys' 'alias=+' 'format=' 'type=+' 'channel=' 'peer=' 'connection=' 'since=' 'until=' 'c/count=' 'j/jobs=' 'version' 'h/help'
        case 'rules'
            __lntrace_parse_subcommand 0 'format=' 'all' 'version' 'h/help'
        case 'explain'
            __lntrace_parse_subcommand 1 'version' 'h/help'
        case 'profiles'
            __lntrace_parse_subcommand 1 'version' 'h/help'
        case 'diagram'
            __lntrace_parse_subcommand -r 1 'input-format=' 'keylog=+' 'key=+' 'port=+' 'tz=' 'no-join' 'require-keys' 'alias=+' 'format=' 'channel=' 'around=' 'hazards=' 'version' 'h/help'
        case 'synth'
            __lntrace_parse_subcommand 1 'o/output=' 'keylog=' 'messages=' 'log=+' 'version' 'h/help'
        case 'help'
            __lntrace_parse_subcommand -r 1 'version'
        end
    end
end

function __lntrace_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __lntrace_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __lntrace_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __lntrace_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__lntrace_tokens -p)
    if test -z "$(__lntrace_tokens -t)"
        set -l index (count (__lntrace_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'lntrace' -f
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace" version' -l 'version' -d 'Show the version.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_positional "lntrace" -eq 1' -fa 'check' -d 'Check the inputs\' messages against the BOLT #1/#2 rules.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_positional "lntrace" -eq 1' -fa 'dump' -d 'Decode and print every message of the inputs.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_positional "lntrace" -eq 1' -fa 'stats' -d 'Count the inputs\' messages per connection and channel, by type and direction, with times, bytes and rates.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_positional "lntrace" -eq 1' -fa 'rules' -d 'List the rules lntrace checks, with severity and BOLT section.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_positional "lntrace" -eq 1' -fa 'explain' -d 'Explain a rule (what it checks, the spec text it enforces, an example) or a hazard kind.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_positional "lntrace" -eq 1' -fa 'profiles' -d 'List the dispatch profiles for `check --hazards`, or print one (a starting point for your own).'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_positional "lntrace" -eq 1' -fa 'diagram' -d 'Draw a channel\'s messages as a ladder (sequence) diagram, around its findings and hazards.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_positional "lntrace" -eq 1' -fa 'synth' -d 'Make a real capture (and its key log) from a scenario file.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_positional "lntrace" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" input-format' -l 'input-format' -d 'The input format (hex|pcap|lnd|cln|eclair|ldk); when omitted, a capture is recognised by its first bytes and a log\'s format line by line, inside journald, docker, Kubernetes, CI and other wrappers.' -rfka 'hex pcap lnd cln eclair ldk'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check"' -l 'keylog' -d 'A BOLT #8 key log (repeatable): lines of \'<32-hex length-MAC> <64-hex key>\' (lightning-dissector, eclair, ptarmigan) or \'<66-hex act-one ephemeral key> <64-hex final chaining key>\'.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check"' -l 'key' -d 'One key-log line given directly (repeatable).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check"' -l 'port' -d 'Only follow TCP connections on this port (repeatable); without it every port is searched for Lightning handshakes.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" tz' -l 'tz' -d 'The zone of log times that state none (lnd, eclair, journald\'s short format): Europe/Zurich, CET, +01:00; default UTC. A zone a line states wins.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" no-join' -l 'no-join' -d 'Read the logs of a connection\'s two ends as separate traces (by default check, dump, stats and diagram join them: Documentation/joining.md); each log file is then read once, not twice.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" require-keys' -l 'require-keys' -d 'A capture connection without a key is an error even when others decrypt (by default it is then a warning).'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check"' -l 'alias' -d 'Name a node in reports (repeatable): an address (10.0.0.1=alice), an endpoint (127.0.0.1:9735=bob) or a log\'s peer node id or its first 8+ hex digits (03864ef0=carol).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check"' -l 'type' -d 'Only messages of these types (spec names, comma-separated, repeatable).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" channel' -l 'channel' -d 'Only messages of this channel: a channel_id or temporary_channel_id prefix, or a log\'s channel label.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" peer' -l 'peer' -d 'Only messages with this peer: a node id prefix, an alias or an address.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" connection' -l 'connection' -d 'Only messages of this connection (its number in the report).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" since' -l 'since' -d 'Only messages at or after this time (2024-01-18T09:30:00Z; UTC without a zone).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" until' -l 'until' -d 'Only messages at or before this time.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" c count' -s 'c' -l 'count' -d 'Stop after this many messages (those the filters select).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" format' -l 'format' -d 'Output format: text (readable), json (one document), jsonl (one object per line, streamed), sarif (SARIF 2.1.0), github (workflow commands) or short (one line per finding).' -rfka 'text json jsonl sarif github short'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check"' -l 'rules' -d 'Only these rules: ids, prefixes ending in \'-\', or globs with \'*\' (v1-*-sig), comma-separated, any case (repeatable).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check"' -l 'skip' -d 'Skip these rules (ids or prefixes, comma-separated, repeatable).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" fail-on' -l 'fail-on' -d 'Exit with status 1 when there is a finding of this severity or above (error|warning).' -rfka 'warning error'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" local' -l 'local' -d 'The node that recorded a capture, as lntrace labels it: its address (10.0.0.1), or an endpoint (127.0.0.1:9735).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" color' -l 'color' -d 'Colour text output: auto (on a terminal, unless NO_COLOR is set), always or never.' -rfka 'auto always never'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" q quiet' -l 'quiet' -s 'q' -d 'Print only the findings (text output).'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" v verbose' -l 'verbose' -s 'v' -d 'Also list why rules could not be evaluated, or not on every message, per channel (text output).'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" messages' -l 'messages' -d 'Also write every message (JSON Lines output).'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" context' -l 'context' -d 'How many of the channel\'s earlier messages a finding shows (text: with the messages the rule refers to; JSON: `context`).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" time' -l 'time' -d 'Times in text context lines: absolute (UTC), relative (seconds since the input\'s first message) or delta (since the line before).' -rfka 'absolute relative delta'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" baseline' -l 'baseline' -d 'Findings accepted earlier: a `check --format json` document or `--format jsonl` output; findings it holds are not reported.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check"' -l 'severity' -d 'Report a rule\'s findings with another severity: RULE=warning|error (RULE: an id, prefix or glob; repeatable).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" all' -l 'all' -d 'Print every finding of every rule (text output).'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" max-per-rule' -l 'max-per-rule' -d 'Print at most this many findings of one rule on one channel, then a count (text output; JSON keeps every finding).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" hazards' -l 'hazards' -d 'Find reorder hazards under a dispatch profile: a name (`lntrace profiles` lists them: lnd, lnd-0.18, cln, eclair, ldk, strict, …) or a profile file; none to turn off. Default: for an lnd log, the profile of the version its first line states (else lnd); none otherwise (Core Lightning, eclair and LDK process a channel\'s messages in order: a note says so).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" window' -l 'window' -d 'How far apart the two messages of a hazard may be: a number of messages, or a time (500ms, 2s).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" sequence' -l 'sequence' -d 'The inputs are one trace recorded in turn, in the order given (a rotated log, captures taken one after another): each channel\'s and connection\'s state carries from one to the next, and they are reported as one input. Without it each input is checked on its own.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" j jobs' -s 'j' -l 'jobs' -d 'Cores to use (default: all). With more than one, the work that needs no order (reading and decrypting; check: verifying signatures; dump: formatting its lines) runs on the others while the input is read in order; the output is the same.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" version' -l 'version' -d 'Show the version.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" input-format' -l 'input-format' -d 'The input format (hex|pcap|lnd|cln|eclair|ldk); when omitted, a capture is recognised by its first bytes and a log\'s format line by line, inside journald, docker, Kubernetes, CI and other wrappers.' -rfka 'hex pcap lnd cln eclair ldk'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump"' -l 'keylog' -d 'A BOLT #8 key log (repeatable): lines of \'<32-hex length-MAC> <64-hex key>\' (lightning-dissector, eclair, ptarmigan) or \'<66-hex act-one ephemeral key> <64-hex final chaining key>\'.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump"' -l 'key' -d 'One key-log line given directly (repeatable).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump"' -l 'port' -d 'Only follow TCP connections on this port (repeatable); without it every port is searched for Lightning handshakes.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" tz' -l 'tz' -d 'The zone of log times that state none (lnd, eclair, journald\'s short format): Europe/Zurich, CET, +01:00; default UTC. A zone a line states wins.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" no-join' -l 'no-join' -d 'Read the logs of a connection\'s two ends as separate traces (by default check, dump, stats and diagram join them: Documentation/joining.md); each log file is then read once, not twice.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" require-keys' -l 'require-keys' -d 'A capture connection without a key is an error even when others decrypt (by default it is then a warning).'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump"' -l 'alias' -d 'Name a node in reports (repeatable): an address (10.0.0.1=alice), an endpoint (127.0.0.1:9735=bob) or a log\'s peer node id or its first 8+ hex digits (03864ef0=carol).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" format' -l 'format' -d 'Output format: text (readable), json (one document) or jsonl (one object per line, streamed).' -rfka 'text json jsonl'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump"' -l 'type' -d 'Only messages of these types (spec names, comma-separated, repeatable).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" channel' -l 'channel' -d 'Only messages of this channel: a channel_id or temporary_channel_id prefix, or a log\'s channel label.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" peer' -l 'peer' -d 'Only messages with this peer: a node id prefix, an alias or an address.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" connection' -l 'connection' -d 'Only messages of this connection (its number in the report).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" since' -l 'since' -d 'Only messages at or after this time (2024-01-18T09:30:00Z; UTC without a zone).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" until' -l 'until' -d 'Only messages at or before this time.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" c count' -s 'c' -l 'count' -d 'Stop after this many messages (those the filters select).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" v verbose' -l 'verbose' -s 'v' -d 'Show every field of every message (text output).'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" raw' -l 'raw' -d 'Also show each message\'s bytes, type included, as hex (JSON: "raw").'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" time' -l 'time' -d 'Times in text output: absolute (UTC, as the source gives them), relative (seconds since the first message) or delta (since the message before).' -rfka 'absolute relative delta'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" j jobs' -s 'j' -l 'jobs' -d 'Cores to use (default: all). With more than one, the work that needs no order (reading and decrypting; check: verifying signatures; dump: formatting its lines) runs on the others while the input is read in order; the output is the same.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" version' -l 'version' -d 'Show the version.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace dump" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats" input-format' -l 'input-format' -d 'The input format (hex|pcap|lnd|cln|eclair|ldk); when omitted, a capture is recognised by its first bytes and a log\'s format line by line, inside journald, docker, Kubernetes, CI and other wrappers.' -rfka 'hex pcap lnd cln eclair ldk'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats"' -l 'keylog' -d 'A BOLT #8 key log (repeatable): lines of \'<32-hex length-MAC> <64-hex key>\' (lightning-dissector, eclair, ptarmigan) or \'<66-hex act-one ephemeral key> <64-hex final chaining key>\'.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats"' -l 'key' -d 'One key-log line given directly (repeatable).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats"' -l 'port' -d 'Only follow TCP connections on this port (repeatable); without it every port is searched for Lightning handshakes.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats" tz' -l 'tz' -d 'The zone of log times that state none (lnd, eclair, journald\'s short format): Europe/Zurich, CET, +01:00; default UTC. A zone a line states wins.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats" no-join' -l 'no-join' -d 'Read the logs of a connection\'s two ends as separate traces (by default check, dump, stats and diagram join them: Documentation/joining.md); each log file is then read once, not twice.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats" require-keys' -l 'require-keys' -d 'A capture connection without a key is an error even when others decrypt (by default it is then a warning).'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats"' -l 'alias' -d 'Name a node in reports (repeatable): an address (10.0.0.1=alice), an endpoint (127.0.0.1:9735=bob) or a log\'s peer node id or its first 8+ hex digits (03864ef0=carol).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats" format' -l 'format' -d 'Output format: text (readable), json (one document) or jsonl (one object per line, streamed).' -rfka 'text json jsonl'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats"' -l 'type' -d 'Only messages of these types (spec names, comma-separated, repeatable).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats" channel' -l 'channel' -d 'Only messages of this channel: a channel_id or temporary_channel_id prefix, or a log\'s channel label.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats" peer' -l 'peer' -d 'Only messages with this peer: a node id prefix, an alias or an address.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats" connection' -l 'connection' -d 'Only messages of this connection (its number in the report).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats" since' -l 'since' -d 'Only messages at or after this time (2024-01-18T09:30:00Z; UTC without a zone).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats" until' -l 'until' -d 'Only messages at or before this time.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats" c count' -s 'c' -l 'count' -d 'Stop after this many messages (those the filters select).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats" j jobs' -s 'j' -l 'jobs' -d 'Cores to use (default: all). With more than one, the work that needs no order (reading and decrypting; check: verifying signatures; dump: formatting its lines) runs on the others while the input is read in order; the output is the same.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats" version' -l 'version' -d 'Show the version.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace stats" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace rules" format' -l 'format' -d 'Output format: text (readable), json (one document) or jsonl (one object per line, streamed).' -rfka 'text json jsonl'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace rules" all' -l 'all' -d 'Also list the catalog\'s requirements that are not rules: those a trace cannot show (with the reason), those judged by another rule, and those not implemented yet.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace rules" version' -l 'version' -d 'Show the version.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace rules" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace explain" version' -l 'version' -d 'Show the version.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace explain" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace profiles" version' -l 'version' -d 'Show the version.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace profiles" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace diagram" input-format' -l 'input-format' -d 'The input format (hex|pcap|lnd|cln|eclair|ldk); when omitted, a capture is recognised by its first bytes and a log\'s format line by line, inside journald, docker, Kubernetes, CI and other wrappers.' -rfka 'hex pcap lnd cln eclair ldk'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace diagram"' -l 'keylog' -d 'A BOLT #8 key log (repeatable): lines of \'<32-hex length-MAC> <64-hex key>\' (lightning-dissector, eclair, ptarmigan) or \'<66-hex act-one ephemeral key> <64-hex final chaining key>\'.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace diagram"' -l 'key' -d 'One key-log line given directly (repeatable).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace diagram"' -l 'port' -d 'Only follow TCP connections on this port (repeatable); without it every port is searched for Lightning handshakes.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace diagram" tz' -l 'tz' -d 'The zone of log times that state none (lnd, eclair, journald\'s short format): Europe/Zurich, CET, +01:00; default UTC. A zone a line states wins.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace diagram" no-join' -l 'no-join' -d 'Read the logs of a connection\'s two ends as separate traces (by default check, dump, stats and diagram join them: Documentation/joining.md); each log file is then read once, not twice.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace diagram" require-keys' -l 'require-keys' -d 'A capture connection without a key is an error even when others decrypt (by default it is then a warning).'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace diagram"' -l 'alias' -d 'Name a node in reports (repeatable): an address (10.0.0.1=alice), an endpoint (127.0.0.1:9735=bob) or a log\'s peer node id or its first 8+ hex digits (03864ef0=carol).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace diagram" format' -l 'format' -d 'The diagram\'s format: mermaid (Mermaid sequenceDiagram text) or svg (a self-contained SVG image).' -rfka 'mermaid svg'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace diagram" channel' -l 'channel' -d 'The channel to draw: a channel_id or temporary_channel_id prefix, or a log\'s channel label.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace diagram" around' -l 'around' -d 'How many of the channel\'s messages before and after each finding or hazard are drawn.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace diagram" hazards' -l 'hazards' -d 'Find reorder hazards under a dispatch profile (as for check); none to turn off.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace diagram" version' -l 'version' -d 'Show the version.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace diagram" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace synth" o output' -l 'output' -s 'o' -d 'The capture to write (pcap).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace synth" keylog' -l 'keylog' -d 'The key log to write.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace synth" messages' -l 'messages' -d 'Also write every message sent as JSON Lines (connection, port, direction, type, length, sha256, hex when short, captured).' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace synth"' -l 'log' -d 'Also write NODE\'s log of the same messages, as its implementation would (repeatable): NODE=lnd|cln|cln-io|eclair|ldk:PATH.' -rfka ''
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace synth" version' -l 'version' -d 'Show the version.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace synth" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lntrace' -n '__lntrace_should_offer_completions_for_flags_or_options "lntrace help" version' -l 'version' -d 'Show the version.'
