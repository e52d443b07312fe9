#!/usr/bin/env bash
# Records the current public API of every shipping package in its PublicAPI.Unshipped.txt (new symbols added,
# removed symbols dropped), from the PublicApiAnalyzers' own diagnostics (RS0016 / RS0017), each routed to the
# project it names. Run it after an intended public API change, review the diff, and commit it. The build fails
# on any unrecorded change.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
for round in 1 2 3; do
  out=$(dotnet build eng/packages.slnf -c Release --no-incremental -p:TreatWarningsAsErrors=false 2>&1 || true)
  changed=0
  for project in src/*/*.csproj; do
    dir=$(dirname "$project")
    unshipped="$dir/PublicAPI.Unshipped.txt"
    [ -f "$unshipped" ] || printf '#nullable enable\n' > "$unshipped"
    [ -f "$dir/PublicAPI.Shipped.txt" ] || printf '#nullable enable\n' > "$dir/PublicAPI.Shipped.txt"
    mine=$(printf '%s\n' "$out" | grep -F "[$root/$project]" || true)
    added=$(printf '%s\n' "$mine" | grep -oP "warning RS0016: Symbol '\K.*(?=' is not part of the declared public API)" | sort -u || true)
    removed=$(printf '%s\n' "$mine" | grep -oP "warning RS0017: Symbol '\K.*(?=' is part of the declared API)" | sort -u || true)
    [ -z "$added$removed" ] && continue
    changed=1
    python3 - "$unshipped" "$added" "$removed" <<'PY'
import sys
path, added, removed = sys.argv[1], sys.argv[2], sys.argv[3]
lines = [l for l in open(path).read().splitlines() if l.strip()]
header = [l for l in lines if l.startswith('#')]
body = set(l for l in lines if not l.startswith('#'))
body -= set(x for x in removed.splitlines() if x)
body |= set(x for x in added.splitlines() if x)
open(path, 'w').write('\n'.join(header + sorted(body, key=str.lower)) + '\n')
PY
    echo "$unshipped: +$(printf '%s' "$added" | grep -c . || true) -$(printf '%s' "$removed" | grep -c . || true)"
  done
  [ "$changed" = 0 ] && { echo "public API files are up to date"; break; }
done
