#!/bin/bash
# swift-format lint over the hand-written Swift (configuration: .swift-format), warnings as errors. Generated code
# is left as its generator writes it: Sources/MeshtopOTLPProto (protoc, scripts/gen-otlp.sh) and
# Sources/MeshtopDemo/BuiltinScenarioText.swift (scripts/embed-scenarios.sh).
# Fix what it reports with: scripts/lint-format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'Sources/*.swift' 'Tests/*.swift' 'Package.swift' \
    | grep -v -e '^Sources/MeshtopOTLPProto/' -e '^Sources/MeshtopDemo/BuiltinScenarioText.swift$')
if [ "${1:-}" = "--fix" ]; then
    swift format format -i "${files[@]}"
else
    swift format lint --strict "${files[@]}"
fi
