#!/usr/bin/env bash
# Quick A/B of share-endpoint variants at saturation, without the rest of run.sh (no report is written):
#
#   bash bench/share-variant.sh sqlite                    # bare, sqlite, bare
#   BENCH_HOST_DIR=/tmp/before-host bash bench/share-variant.sh sqlite memory
#
# Prints one BENCH-RESULT line per run (req/s, latency, host CPU and gateway calls/s, as in run.sh section 1).
# Settings: BENCH_DURATION (10), BENCH_WARMUP (3), BENCH_CONNECTIONS (32), BENCH_HOST_DIR (a prebuilt host folder).
# Variants: bare, memory, memory-hot, sqlite, redis (redis-server is started on a free loopback port when needed).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
LUA="$BENCH_DIR/wrk/share.lua"
SHARE_PATH=/v0.5/patients/profile/share
VARIANTS=("$@")
[[ ${#VARIANTS[@]} -gt 0 ]] || { echo "usage: share-variant.sh VARIANT..." >&2; exit 2; }

log() { echo "$*" >&2; }
BENCH_WORK_PREFIX=abdm-bench-variant
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
build_host

start gateway "$HOST_BIN" gateway --port 0 --token-file "$WORK/token"
GATEWAY_URL=$READY_URL
GATEWAY_ROOT=${GATEWAY_URL%/gateway}
REDIS_PORT=
if [[ " ${VARIANTS[*]} " == *" redis "* ]]; then
  start_redis
fi

i=0
for variant in bare "${VARIANTS[@]}" bare; do
  i=$((i + 1))
  # shellcheck disable=SC2046
  start "host-$i" "$HOST_BIN" $(host_args "$variant" "$i")
  pid=$LAST_PID url=$READY_URL
  wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$LUA" "$url$SHARE_PATH" -- "$WORK/token" 0 >/dev/null
  [[ $variant == redis ]] && redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
  calls0=$(curl -s "$GATEWAY_ROOT/_bench/counts"); cpu0=$(cpu_ms "$pid")
  line=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$LUA" "$url$SHARE_PATH" -- "$WORK/token" 0 | grep '^BENCH-RESULT')
  calls1=$(curl -s "$GATEWAY_ROOT/_bench/counts"); cpu1=$(cpu_ms "$pid")
  [[ $variant == redis ]] && redis-cli -p "$REDIS_PORT" info commandstats >"$WORK/commandstats"
  stop "$pid"
  requests=$(field requests "$line"); seconds=$(field seconds "$line")
  if [[ $variant == redis ]]; then
    # Redis commands per request by command (scripts' inner commands included), highest first.
    awk -F'[:,=]' -v r="$requests" '/^cmdstat_/ { printf "  %-22s %6.2f/request\n", substr($1, 9), $3 / r }' "$WORK/commandstats" | sort -k2 -rn >&2
  fi
  echo "$line variant=$variant gw_calls_per_s=$(awk -v c=$((calls1 - calls0)) -v s="$seconds" 'BEGIN { printf "%.0f", c / s }') host_cpu_us_per_request=$(awk -v c=$((cpu1 - cpu0)) -v r="$requests" 'BEGIN { printf "%.0f", c * 1000 / r }')"
done
