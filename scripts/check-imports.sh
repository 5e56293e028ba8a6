#!/usr/bin/env bash
# Fails when a source file imports a module that docs/architecture.md's table does not allow for its module.
# Usage: scripts/check-imports.sh (from anywhere in the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
system=" Foundation FoundationEssentials FoundationNetworking Dispatch Glibc Darwin Synchronization "
declare -A allowed
while IFS='|' read -r _ module _ imports _; do
  module=$(echo "$module" | xargs)
  [ -z "$module" ] || [ "$module" = module ] || [[ "$module" == ---* ]] && continue
  allowed[$module]=" $(echo "$imports" | tr ',' ' ' | sed 's/—//g' | xargs) "
done < <(sed -n '/<!-- imports:begin -->/,/<!-- imports:end -->/p' docs/architecture.md | grep '^|')
status=0
for dir in Sources/*/; do
  module=$(basename "$dir")
  [ "$module" = CNcursesw ] && continue
  if [ -z "${allowed[$module]+x}" ]; then
    echo "check-imports: $module is not in docs/architecture.md's table; add a row for it"
    status=1
    continue
  fi
  while IFS=: read -r file line text; do
    imported=$(echo "$text" | sed -E 's/^(@[A-Za-z_]+ )*import ((typealias|struct|class|enum|protocol|let|var|func) )?//; s/[. ].*//')
    case "$system${allowed[$module]}" in
      *" $imported "*) ;;
      *) echo "check-imports: $file:$line: $module may not import $imported (docs/architecture.md)"; status=1 ;;
    esac
  done < <(grep -rnE '^(@[A-Za-z_]+ )*import ' "$dir" --include='*.swift' || true)
done
[ $status -eq 0 ] && echo "check-imports: every import follows docs/architecture.md"
exit $status
