#!/usr/bin/env bash
# Where a share-endpoint variant's CPU goes: perf samples (cpu-clock, call graphs) of the host process while wrk
# saturates it, with .NET frames named through the runtime's perf map, then the top frames by inclusive time
# ("children": the frame and what it calls) and by exclusive time ("self").
#
#   bash bench/profile.sh memory-hot            # the request path alone (JWT cached, in-memory, outbox off)
#   bash bench/profile.sh memory sqlite redis   # one profile per variant
#
# Writes bench/results/profile-VARIANT.md and keeps the raw samples as PROFILE_DATA_DIR/abdm-profile-VARIANT.perf.data
# (default /tmp; perf report -i FILE to browse, perf script for a flame graph; the .NET names come from
# /tmp/perf-PID.map, which the runtime leaves behind).
# Settings: BENCH_DURATION (s sampled, 8), BENCH_WARMUP (s, 10: JIT tiering settles before sampling), BENCH_CONNECTIONS (32), BENCH_HOST_DIR,
# PROFILE_TOP (25), PROFILE_HZ (sampling rate, 999), PROFILE_DATA_DIR (/tmp). Variants as in share-variant.sh.
#
# How the frames get names on this kind of machine (measured): dotnet-trace's kernel CPU sampling (collect-linux)
# needs user_events, which this kernel lacks, and its EventPipe thread-time sampling counts waiting threads as busy.
# perf with the cpu-clock event works, but the runtime's W^X double mapping hides JIT code from the perf map and
# ReadyToRun code is not in it: the host runs with DOTNET_PerfMapEnabled=1, DOTNET_EnableWriteXorExecute=0 and
# DOTNET_ReadyToRun=0 (everything JIT-compiled, so tiering differs slightly from production; compare shares of time,
# not absolute microseconds, and measure CPU per request with run.sh).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DURATION=${BENCH_DURATION:-8}
WARMUP=${BENCH_WARMUP:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
TOP=${PROFILE_TOP:-25}
HZ=${PROFILE_HZ:-999}
LUA="$BENCH_DIR/wrk/share.lua"
SHARE_PATH=/v0.5/patients/profile/share
VARIANTS=("$@")
[[ ${#VARIANTS[@]} -gt 0 ]] || { echo "usage: profile.sh VARIANT..." >&2; exit 2; }

log() { echo "[profile] $*" >&2; }
BENCH_WORK_PREFIX=abdm-bench-profile
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
for tool in perf wrk; do
  command -v "$tool" >/dev/null || { log "$tool is missing (apt-get install linux-perf wrk)"; exit 1; }
done

build_host
start gateway "$HOST_BIN" gateway --port 0 --token-file "$WORK/token"
GATEWAY_URL=$READY_URL
REDIS_PORT=
if [[ " ${VARIANTS[*]} " == *" redis "* ]]; then
  start_redis
fi

# report MODE FILE [TEXT]: the top frames (kernel frames left out), or only those containing TEXT.
report() {
  local mode=$1 text=${3:-}
  perf report -i "$2" --stdio --sort symbol -g none $mode 2>/dev/null \
    | awk '!/^#/ && NF' \
    | sed -E 's/^ +//; s/ +- +- *$//' \
    | awk -v top="$TOP" -v text="$text" '/\[k\]/ { next } (text == "" || index($0, text)) && n < top { print; n++ }'
}

i=0
for variant in "${VARIANTS[@]}"; do
  i=$((i + 1))
  export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0
  # shellcheck disable=SC2046
  start "host-$i" "$HOST_BIN" $(host_args "$variant" "$i")
  unset DOTNET_PerfMapEnabled DOTNET_EnableWriteXorExecute DOTNET_ReadyToRun
  pid=$LAST_PID url=$READY_URL
  wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$LUA" "$url$SHARE_PATH" -- "$WORK/token" 0 >/dev/null
  log "$variant: sampling pid $pid at ${HZ} Hz for ${DURATION}s under wrk -c$CONNECTIONS"
  wrk -t1 -c"$CONNECTIONS" -d"$((DURATION + 2))s" --latency -s "$LUA" "$url$SHARE_PATH" -- "$WORK/token" 0 >"$WORK/$variant.wrk" &
  load=$!
  sleep 1
  data="${PROFILE_DATA_DIR:-/tmp}/abdm-profile-$variant.perf.data"
  perf record -e cpu-clock -F "$HZ" -g -p "$pid" -o "$data" -- sleep "$DURATION" >"$WORK/$variant.perf.log" 2>&1
  wait "$load"
  samples=$(perf report -i "$data" --stdio 2>/dev/null | awk '/^# Samples:/ && !seen { print $3; seen = 1 }')
  kernel=$(perf report -i "$data" --stdio --sort dso -g none --no-children 2>/dev/null | awk '/\[kernel/ { gsub("%", "", $1); s += $1 } END { printf "%.1f", s }')
  out="$BENCH_DIR/results/profile-$variant.md"
  {
    echo "# CPU profile: $variant"
    echo
    echo "\`bash bench/profile.sh $variant\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit \`$(git -C "$BENCH_DIR" rev-parse --short HEAD)\`, $(nproc) cores:"
    echo "perf cpu-clock samples at ${HZ} Hz with call graphs, ${DURATION}s of the host process while wrk (1 thread,"
    echo "$CONNECTIONS connections) saturated it; $samples samples, ${kernel}% of them in the kernel (sockets, scheduling)."
    echo "Kernel frames are left out of the tables below; the percentages are of all samples. Unnamed hex frames are the"
    echo "runtime's own native code (libcoreclr has no symbols here)."
    echo
    echo "wrk: $(grep -E '^BENCH-RESULT' "$WORK/$variant.wrk" || true)"
    echo
    echo "## Top $TOP by inclusive time (the frame and everything it calls)"
    echo
    echo '```'
    report --children "$data"
    echo '```'
    echo
    echo "## Top $TOP of the library's own frames by inclusive time"
    echo
    echo '```'
    report --children "$data" '[Abdm.ProfileShare'
    echo '```'
    echo
    echo "## Top $TOP by exclusive time (the frame itself)"
    echo
    echo '```'
    report --no-children "$data"
    echo '```'
  } >"$out"
  stop "$pid"
  log "$variant: wrote $out (perf data: $data)"
done
