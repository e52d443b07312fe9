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

WORK=$(mktemp -d /tmp/abdm-bench-variant.XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n "${BENCH_HOST_DIR:-}" ]]; then
  HOST_BIN="$BENCH_HOST_DIR/Abdm.ProfileShare.Benchmarks.Host"
else
  dotnet build "$BENCH_DIR/Abdm.ProfileShare.Benchmarks.Host/Abdm.ProfileShare.Benchmarks.Host.csproj" -c Release -nologo -v q >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log"; exit 1; }
  HOST_BIN="$BENCH_DIR/Abdm.ProfileShare.Benchmarks.Host/bin/Release/net10.0/Abdm.ProfileShare.Benchmarks.Host"
fi

start() {
  local name=$1; shift
  "$@" >"$WORK/$name.out" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  local i
  for i in $(seq 1 300); do
    if READY_URL=$(grep -m1 '^BENCH-READY ' "$WORK/$name.out" 2>/dev/null | awk '{print $2}') && [[ -n "$READY_URL" ]]; then
      return 0
    fi
    kill -0 "$LAST_PID" 2>/dev/null || { cat "$WORK/$name.out" >&2; echo "$name exited before it was ready" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name not ready after 30 s" >&2; exit 1
}
stop() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print $2 }'; }
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1000 / hz }' "/proc/$1/stat"; }
free_port() {
  local port
  while :; do
    port=$(( 20000 + RANDOM % 30000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

start gateway "$HOST_BIN" gateway --port 0 --token-file "$WORK/token"
GATEWAY_URL=$READY_URL
GATEWAY_ROOT=${GATEWAY_URL%/gateway}
REDIS_PORT=
if [[ " ${VARIANTS[*]} " == *" redis "* ]]; then
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --loglevel warning >"$WORK/redis.out" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

host_args() {
  case $1 in
    bare) echo "host --variant bare --port 0" ;;
    memory-hot) echo "host --variant memory --outbox off --port 0 --gateway $GATEWAY_URL" ;;
    memory) echo "host --variant memory --port 0 --gateway $GATEWAY_URL" ;;
    sqlite) echo "host --variant sqlite --port 0 --gateway $GATEWAY_URL --sqlite $WORK/share-$2.db" ;;
    redis) echo "host --variant redis --port 0 --gateway $GATEWAY_URL --redis 127.0.0.1:$REDIS_PORT --key-prefix abdm:bench:$2:" ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}

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
