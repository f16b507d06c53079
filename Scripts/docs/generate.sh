#!/usr/bin/env bash
# Regenerates the man pages and shell completions in Documentation/ from lntrace's
# argument parser (swift-argument-parser's generate-manual plugin and
# --generate-completion-script). Run after changing a command's options or help.
# Usage: Scripts/docs/generate.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
swift package --allow-writing-to-package-directory generate-manual --multi-page >/dev/null
mkdir -p Documentation/man Documentation/completions
rm -f Documentation/man/*.1
cp .build/plugins/GenerateManual/outputs/lntrace/*.1 Documentation/man/
# The help page of the built-in `help` subcommand is not worth installing.
rm -f Documentation/man/lntrace.help.1
swift build >/dev/null
for shell in bash zsh fish; do
    .build/debug/lntrace --generate-completion-script "$shell" > "Documentation/completions/lntrace.$shell"
done
ls Documentation/man Documentation/completions
