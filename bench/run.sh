#!/usr/bin/env bash
# Load and micro benchmarks of the share callback and the full Scan & Share flow, on loopback.
# Writes bench/results/latest.md (see bench/README.md for what is measured and how to read it).
#
#   bash bench/run.sh                      # everything, about 6-8 minutes on 2 cores
#   BENCH_SKIP_MICRO=1 bash bench/run.sh   # load tests only
#
# Settings (environment): BENCH_DURATION (s per measured run, 10), BENCH_WARMUP (s, 10: tiered compilation keeps optimising for several seconds under load), BENCH_CONNECTIONS (wrk
# connections, 32), BENCH_FLOW_CONCURRENCY (scans in flight, 32), BENCH_FLOW_WARMUP (s of flows before the timed ones, 20), BENCH_OUT (the report, bench/results/latest.md),
# BENCH_HOST_DIR (a prebuilt bench host folder, for before/after comparisons of src/).
# Everything it starts (hosts, the fast gateway, redis-server, a throw-away PostgreSQL cluster) listens on 127.0.0.1 and
# is stopped on exit.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
FLOW_CONCURRENCY=${BENCH_FLOW_CONCURRENCY:-32}
FLOW_WARMUP=${BENCH_FLOW_WARMUP:-20}
SKIP_MICRO=${BENCH_SKIP_MICRO:-0}
OUT=${BENCH_OUT:-$BENCH_DIR/results/latest.md}
LUA="$BENCH_DIR/wrk/share.lua"
SHARE_PATH=/v0.5/patients/profile/share
STARTED=$(date +%s)

log() { printf '[bench %3ds] %s\n' "$(( $(date +%s) - STARTED ))" "$*" >&2; }
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

# ---------------------------------------------------------------------------------------------------------------
# Tools and build
# ---------------------------------------------------------------------------------------------------------------
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2 (apt-get)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}
need wrk wrk
need redis-server redis-server

build_host
if [[ "$SKIP_MICRO" != 1 ]]; then
  dotnet build "$BENCH_DIR/Abdm.ProfileShare.Benchmarks/Abdm.ProfileShare.Benchmarks.csproj" -c Release -nologo -v q >"$WORK/build-micro.log" 2>&1 \
    || { cat "$WORK/build-micro.log"; exit 1; }
fi

# ---------------------------------------------------------------------------------------------------------------
# Processes (start, stop, free_port, field, cpu_ms and host_args are in lib.sh)
# ---------------------------------------------------------------------------------------------------------------
redis_cpu_ms() { redis-cli -p "$REDIS_PORT" info cpu | awk -F: '/^used_cpu_(sys|user):/ { t += $2 } END { printf "%.0f", t * 1000 }'; }
redis_commands() { redis-cli -p "$REDIS_PORT" info stats | awk -F: '/^total_commands_processed/ { print $2 + 0 }'; }
gc_field() { curl -s "$1/_bench/gc" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }
gc_allocated() { gc_field "$1" allocated; }
# The JIT's compilation time so far (ms; 0 for a host without the endpoint): tiering still compiling during a measured
# window is start-up cost, not cost per share, and is reported beside the CPU it is part of.
jit_ms() { local v; v=$(gc_field "$1" jit_ms); echo "${v:-0}"; }

log "starting the fast gateway, redis-server and PostgreSQL"
start gateway "$HOST_BIN" gateway --port 0 --token-file "$WORK/token"
GATEWAY_PID=$LAST_PID
GATEWAY_URL=$READY_URL
GATEWAY_ROOT=${GATEWAY_URL%/gateway}
start_redis
start_postgres

# host_args VARIANT INDEX: the command line of one share-endpoint variant.

# measure VARIANT INDEX DELAY_MS: fresh host, warm-up, one measured wrk run; prints a result line.
measure() {
  local variant=$1 index=$2 delay=$3
  # shellcheck disable=SC2046
  start "host-$variant-$index" "$HOST_BIN" $(host_args "$variant" "$index")
  local pid=$LAST_PID url=$READY_URL warm=$WARMUP
  # The paced runs are light: half the warm-up (keeps the whole run under 10 minutes).
  [[ $delay != 0 ]] && warm=$(( (WARMUP + 1) / 2 ))
  wrk -t1 -c"$CONNECTIONS" -d"${warm}s" -s "$LUA" "$url$SHARE_PATH" -- "$WORK/token" "$delay" >/dev/null
  local calls0 alloc0 calls1 alloc1 line redis0 redis1 cpu0 cpu1 rcpu0 rcpu1 pg0 pg1 jit0 jit1
  calls0=$(curl -s "$GATEWAY_ROOT/_bench/counts"); alloc0=$(gc_allocated "$url"); redis0=$(redis_commands); cpu0=$(cpu_ms "$pid"); rcpu0=$(redis_cpu_ms); pg0=$(pg_counters); jit0=$(jit_ms "$url")
  line=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$LUA" "$url$SHARE_PATH" -- "$WORK/token" "$delay" | grep '^BENCH-RESULT')
  calls1=$(curl -s "$GATEWAY_ROOT/_bench/counts"); alloc1=$(gc_allocated "$url"); redis1=$(redis_commands); cpu1=$(cpu_ms "$pid"); rcpu1=$(redis_cpu_ms); pg1=$(pg_counters); jit1=$(jit_ms "$url")
  stop "$pid"
  local requests seconds
  requests=$(field requests "$line"); seconds=$(field seconds "$line")
  echo "$line variant=$variant gw_calls_per_s=$(awk -v c=$((calls1 - calls0)) -v s="$seconds" 'BEGIN { printf "%.0f", c / s }') alloc_per_request=$(awk -v a=$((alloc1 - alloc0)) -v r="$requests" 'BEGIN { printf "%.0f", a / r }') host_cpu_us_per_request=$(awk -v c=$((cpu1 - cpu0)) -v r="$requests" 'BEGIN { printf "%.0f", c * 1000 / r }') jit_us_per_request=$(awk -v c=$((jit1 - jit0)) -v r="$requests" 'BEGIN { printf "%.0f", c * 1000 / r }') redis_cpu_us_per_request=$(awk -v c=$((rcpu1 - rcpu0)) -v r="$requests" 'BEGIN { printf "%.0f", c * 1000 / r }') redis_commands_per_request=$(awk -v a=$((redis1 - redis0)) -v r="$requests" 'BEGIN { printf "%.1f", a / r }') $(awk -v a="$pg0" -v b="$pg1" -v r="$requests" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "pg_statements_per_request=%.1f pg_commits_per_request=%.1f pg_cpu_us_per_request=%.0f", (y[1] - x[1]) / r, (y[2] - x[2]) / r, (y[3] - x[3]) * 1000 / r }')"
}

# ---------------------------------------------------------------------------------------------------------------
# 1. Share endpoint at saturation (same connection count for every variant), baseline first and last
# ---------------------------------------------------------------------------------------------------------------
SAT_ORDER=(bare memory-hot memory sqlite redis postgres bare-bg bare)
declare -A SAT
i=0
for variant in "${SAT_ORDER[@]}"; do
  i=$((i + 1))
  log "saturation: $variant (${CONNECTIONS} connections, ${WARMUP}s warm-up + ${DURATION}s)"
  SAT[$i]=$(measure "$variant" "s$i" 0)
  log "  $(field rps "${SAT[$i]}") req/s, p99 $(field p99_us "${SAT[$i]}") us, errors $(field errors "${SAT[$i]}")"
done
BARE_RPS=$(awk -v a="$(field rps "${SAT[1]}")" -v b="$(field rps "${SAT[${#SAT_ORDER[@]}]}")" 'BEGIN { printf "%.0f", (a + b) / 2 }')
MEMORY_RPS=$(field rps "${SAT[3]}")

# ---------------------------------------------------------------------------------------------------------------
# 2. Latency at one fixed offered load (wrk's delay(): each connection waits DELAY ms before each request), set to
#    half the rate the in-memory variant sustains with its outbox keeping up (its saturated req/s, or half the gateway
#    calls/s its outbox made if that is lower: two calls per share), for every variant
# ---------------------------------------------------------------------------------------------------------------
MEMORY_SUSTAINED=$(awk -v r="$MEMORY_RPS" -v g="$(field gw_calls_per_s "${SAT[3]}")" 'BEGIN { s = g / 2; if (s > r) s = r; printf "%.0f", s }')
DELAY=$(awk -v c="$CONNECTIONS" -v r="$MEMORY_SUSTAINED" 'BEGIN { d = c * 1000 / (r / 2); d = int(d + 0.5); if (d < 1) d = 1; print d }')
OFFERED=$(awk -v c="$CONNECTIONS" -v d="$DELAY" 'BEGIN { printf "%.0f", c * 1000 / d }')
PACED_ORDER=(bare memory-hot memory bare-bg sqlite redis postgres bare)
declare -A PACED
i=0
for variant in "${PACED_ORDER[@]}"; do
  i=$((i + 1))
  log "fixed load: $variant (about $OFFERED req/s offered: ${CONNECTIONS} connections, ${DELAY} ms between requests)"
  PACED[$i]=$(measure "$variant" "p$i" "$DELAY")
  log "  $(field rps "${PACED[$i]}") req/s, p50 $(field p50_us "${PACED[$i]}") us, p99 $(field p99_us "${PACED[$i]}") us"
done
stop "$GATEWAY_PID"

# ---------------------------------------------------------------------------------------------------------------
# 3. Full flow through the gateway simulator vs the raw loopback HTTP rate / 6, back to back
# ---------------------------------------------------------------------------------------------------------------
log "HTTP bound: HttpClient loop, $FLOW_CONCURRENCY in flight, against a bare 202 endpoint"
HTTPBOUND=$("$HOST_BIN" httpbound --concurrency "$FLOW_CONCURRENCY" --seconds "$DURATION" --warmup "$WARMUP" | grep '^BENCH-RESULT')
log "  $(field rps "$HTTPBOUND") req/s -> $(field flow_bound "$HTTPBOUND") flows/s"
log "full flow: $FLOW_CONCURRENCY scans in flight through the simulator, in-memory host"
FLOW=$("$HOST_BIN" flow --concurrency "$FLOW_CONCURRENCY" --seconds "$DURATION" --warmup-seconds "$FLOW_WARMUP" --simulator performance | grep '^BENCH-RESULT')
log "  $(field flows_per_s "$FLOW") flows/s ($(field flows "$FLOW") flows, $(field failures "$FLOW") failed)"
log "full flow again, the simulator in its Strict profile (every session token verified on every call, the whole journal kept)"
FLOW_STRICT=$("$HOST_BIN" flow --concurrency "$FLOW_CONCURRENCY" --seconds "$DURATION" --warmup-seconds "$FLOW_WARMUP" --simulator strict | grep '^BENCH-RESULT')
log "  $(field flows_per_s "$FLOW_STRICT") flows/s ($(field flows "$FLOW_STRICT") flows, $(field failures "$FLOW_STRICT") failed)"

# The disk's synchronous write rate: what bounds a store that flushes every commit (SQLite in WAL mode, FULL sync).
log "disk: 500 synchronous 4 KiB writes"
FSYNC_PER_S=$(dd if=/dev/zero of="$WORK/fsync-probe" bs=4k count=500 oflag=dsync 2>&1 \
  | awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") secs = $(i - 1) } END { if (secs > 0) printf "%.0f", 500 / secs; else print "?" }')
rm -f "$WORK/fsync-probe"
log "  $FSYNC_PER_S synchronous writes/s"
SQLITE_COMMITS=$("$HOST_BIN" sqlite-commits --file "$WORK/commit-probe.db" --seconds 2 | grep '^BENCH-RESULT')
log "  SQLite: $(field commits_per_s "$SQLITE_COMMITS") durable one-row commits/s"

# ---------------------------------------------------------------------------------------------------------------
# 4. Micro-benchmarks
# ---------------------------------------------------------------------------------------------------------------
MICRO="(skipped: BENCH_SKIP_MICRO=1)"
if [[ "$SKIP_MICRO" != 1 ]]; then
  log "micro-benchmarks (BenchmarkDotNet, short in-process runs)"
  (cd "$WORK" && dotnet "$BENCH_DIR/Abdm.ProfileShare.Benchmarks/bin/Release/net10.0/Abdm.ProfileShare.Benchmarks.dll" --artifacts "$WORK/bdn" >"$WORK/bdn.log" 2>&1) \
    || { tail -50 "$WORK/bdn.log"; exit 1; }
  MICRO=$(cat "$WORK"/bdn/results/*-report-github.md | grep '^|' | sed 's/ Type  *|/ Benchmark class |/')
fi

# mean_us TEXT: the Mean of the micro-benchmark whose row contains TEXT, in microseconds.
mean_us() {
  grep '^|' <<<"$MICRO" | awk -F'|' -v text="$1" '
    NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/ /, "", h); if (h == "Mean") col = i } next }
    index($0, text) && col { v = $col; gsub(/[ ,]/, "", v); unit = v; sub(/^[0-9.]+/, "", unit); sub(/[a-zμ]+$/, "", v);
      f = (unit == "ns") ? 0.001 : (unit == "ms") ? 1000 : 1; printf "%.2f", v * f; exit }'
}

# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------
SAMPLE_BODY='{"requestId":"00000000-0000-4000-8000-000000000001","timestamp":"2022-05-10T14:19:12.993Z","profile":{"hipCode":"counter-1","patient":{"healthId":"bench.000001@sbx","healthIdNumber":null,"name":"Bench Testpatient 000001","gender":"F","address":{"line":"12 Sample Street","district":"Bengaluru Urban","state":"Karnataka","pincode":"560001"},"yearOfBirth":1990,"dayOfBirth":27,"monthOfBirth":2,"identifiers":[{"type":"MOBILE","value":"+91-9000000001"}]}}}'
pg_cell() { if [[ "$(field variant "$1")" == postgres ]]; then echo "$(field pg_statements_per_request "$1") / $(field pg_commits_per_request "$1") ($(field pg_cpu_us_per_request "$1") us)"; else echo "-"; fi; }
redis_cell() { if [[ "$(field variant "$1")" == redis ]]; then echo "$(field redis_commands_per_request "$1") ($(field redis_cpu_us_per_request "$1") us)"; else echo "-"; fi; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f ms", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
describe() {
  case $1 in
    bare) echo "bare minimal-API endpoint (baseline)" ;;
    bare-bg) echo "bare endpoint + the 2 gateway POSTs a share causes (16 workers)" ;;
    memory-hot) echo "MapAbdmProfileShare, JWT, in-memory, outbox not started" ;;
    memory) echo "MapAbdmProfileShare, JWT, in-memory store" ;;
    sqlite) echo "MapAbdmProfileShare, JWT, SQLite (temp file, WAL)" ;;
    redis) echo "MapAbdmProfileShare, JWT, Redis (loopback)" ;;
    postgres) echo "MapAbdmProfileShare, JWT, PostgreSQL (loopback, fsync on)" ;;
  esac
}
P_BARE_P99=$(awk -v a="$(field p99_us "${PACED[1]}")" -v b="$(field p99_us "${PACED[${#PACED_ORDER[@]}]}")" 'BEGIN { printf "%.0f", (a + b) / 2 }')
FLOW_RATE=$(field flows_per_s "$FLOW")
FLOW_BOUND=$(field flow_bound "$HTTPBOUND")
sat_of() { local k; for k in "${!SAT_ORDER[@]}"; do [[ "${SAT_ORDER[$k]}" == "$1" ]] && { echo "${SAT[$((k + 1))]}"; return; }; done; }
paced_of() { local k; for k in "${!PACED_ORDER[@]}"; do [[ "${PACED_ORDER[$k]}" == "$1" ]] && { echo "${PACED[$((k + 1))]}"; return; }; done; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? (v >= t) : (v <= t); print ok ? "met" : "**missed**" }'; }

mkdir -p "$(dirname "$OUT")"
{
  echo "# Benchmark results"
  echo
  echo "Generated by \`bash bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit \`$(git -C "$ROOT" rev-parse --short HEAD)\`$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (with uncommitted src changes)')."
  [[ -n "${BENCH_HOST_DIR:-}" ]] && echo "Hosts and drivers from \`BENCH_HOST_DIR=$BENCH_HOST_DIR\` (built elsewhere: the commit above is the harness's, not necessarily the measured src)."
  echo "Machine: $(nproc) cores, $(LC_ALL=C lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }'), $(free -g | awk '/Mem:/ { print $2 }') GiB, $(. /etc/os-release && echo "$PRETTY_NAME"), .NET SDK $(dotnet --version), $(wrk --version 2>&1 | head -1 | awk '{print $1, $2}'), redis-server $(redis-server --version | awk '{print $3}' | cut -d= -f2), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')."
  echo "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (other work shares these cores: compare the ratios, not the absolute numbers)."
  echo
  echo "Every comparison is a ratio within this one run: the load generator, the hosts, the fast gateway or the simulator"
  echo "and Redis all share the machine's $(nproc) cores, on loopback. Release builds, Server GC, warnings-only logging."
  echo
  echo "## Targets"
  echo
  echo "| Target | Measured | |"
  echo "|---|---|---|"
  mem_ratio=$(ratio "$MEMORY_RPS" "$BARE_RPS"); hot_ratio=$(ratio "$(field rps "$(sat_of memory-hot)")" "$BARE_RPS")
  sqlite_ratio=$(ratio "$(field rps "$(sat_of sqlite)")" "$BARE_RPS"); redis_ratio=$(ratio "$(field rps "$(sat_of redis)")" "$BARE_RPS")
  postgres_ratio=$(ratio "$(field rps "$(sat_of postgres)")" "$BARE_RPS")
  p99_ratio=$(ratio "$(field p99_us "$(paced_of memory)")" "$P_BARE_P99")
  flow_ratio=$(ratio "$FLOW_RATE" "$FLOW_BOUND")
  bg_ratio=$(ratio "$(field rps "$(sat_of bare-bg)")" "$BARE_RPS")
  bare_cpu=$(awk -v a="$(field host_cpu_us_per_request "${SAT[1]}")" -v b="$(field host_cpu_us_per_request "${SAT[${#SAT_ORDER[@]}]}")" 'BEGIN { printf "%.1f", (a + b) / 2 }')
  echo "| In-memory + JWT throughput >= 0.8 x bare | $mem_ratio (request path alone, outbox not started: $hot_ratio; the bare endpoint plus only the HTTP work a share causes: $bg_ratio) | $(verdict "$mem_ratio" 0.8 '>=') |"
  if [[ "$SKIP_MICRO" != 1 ]]; then
    floor=$(awk -v a="$(mean_us 'CallbackBodyReader.ReadAsync')" -v b="$(mean_us 'cached (repeated token)')" -v c="$(mean_us 'AcceptShareAsync (new share)')" 'BEGIN { printf "%.1f", a + b + c }')
    echo "| (the request path's floor) | reading + checking the body, the cached token check and the store write alone cost $floor us (micro-benchmarks below); the bare endpoint costs $bare_cpu us of host CPU per request: at most $(awk -v f="$floor" -v b="$bare_cpu" 'BEGIN { printf "%.2f", b / (b + f) }') x bare with nothing else done | |"
  fi
  echo "| In-memory + JWT p99 <= 1.5 x bare at the same offered load (~$OFFERED req/s) | $p99_ratio (request path alone: $(ratio "$(field p99_us "$(paced_of memory-hot)")" "$P_BARE_P99"); the bare endpoint plus only the HTTP work a share causes: $(ratio "$(field p99_us "$(paced_of bare-bg)")" "$P_BARE_P99")) | $(verdict "$p99_ratio" 1.5 '<=') |"
  echo "| SQLite throughput >= 0.5 x bare | $sqlite_ratio | $(verdict "$sqlite_ratio" 0.5 '>=') |"
  echo "| Redis throughput >= 0.5 x bare | $redis_ratio | $(verdict "$redis_ratio" 0.5 '>=') |"
  echo "| PostgreSQL throughput >= 0.5 x bare | $postgres_ratio | $(verdict "$postgres_ratio" 0.5 '>=') |"
  echo "| Full flow >= 0.5 x HTTP bound | $flow_ratio ($FLOW_RATE flows/s vs $FLOW_BOUND) | $(verdict "$flow_ratio" 0.5 '>=') |"
  bare_p99=$(awk -v a="$(field p99_us "${SAT[1]}")" -v b="$(field p99_us "${SAT[${#SAT_ORDER[@]}]}")" 'BEGIN { printf "%.0f", (a + b) / 2 }')
  hot_cpu_ratio=$(ratio "$(field host_cpu_us_per_request "$(sat_of memory-hot)")" "$bare_cpu")
  hot_p99_ratio=$(ratio "$(field p99_us "$(sat_of memory-hot)")" "$bare_p99")
  flow_cpu_ratio=$(awk -v h="$(field host_cpu_ms_per_flow "$FLOW")" -v s="$(field server_cpu_us_per_request "$HTTPBOUND")" 'BEGIN { printf "%.1f", h * 1000 / (6 * s) }')
  sim_host=$(ratio "$(field simulator_cpu_ms_per_flow "$FLOW")" "$(field host_cpu_ms_per_flow "$FLOW")")
  sqlite_p50=$(awk -v u="$(field p50_us "$(paced_of sqlite)")" 'BEGIN { printf "%.2f", u / 1000 }')
  echo "| Request path (JWT cached, in-memory, outbox off): host CPU per share <= 1.5 x bare | $hot_cpu_ratio ($(field host_cpu_us_per_request "$(sat_of memory-hot)") us vs $bare_cpu us) | $(verdict "$hot_cpu_ratio" 1.5 '<=') |"
  echo "| Request path: p99 at saturation <= 5 x bare | $hot_p99_ratio ($(ms "$(field p99_us "$(sat_of memory-hot)")") vs $(ms "$bare_p99"); see docs/benchmarks.md for where it comes from) | $(verdict "$hot_p99_ratio" 5 '<=') |"
  echo "| Full flow: host CPU per flow <= 4 x the server side of its 6 bare exchanges | $flow_cpu_ratio | $(verdict "$flow_cpu_ratio" 4 '<=') |"
  echo "| Full flow: simulator CPU per flow below the host's | $sim_host x the host's | $(verdict "$sim_host" 1 '<=') |"
  echo "| SQLite: p50 <= 3 ms at the fixed offered load | $sqlite_p50 ms | $(verdict "$sqlite_p50" 3 '<=') |"
  if [[ "$SKIP_MICRO" != 1 ]]; then
    alloc_kb=$(grep '^|' <<<"$MICRO" | awk -F'|' '/Share endpoint handler/ { v = $(NF - 1); gsub(/ /, "", v); print v; exit }')
    echo "| Allocations per share on the request path (endpoint handler micro-benchmark) <= 3 KB beyond the body | $alloc_kb (the body itself is not counted: it is read from a pre-filled stream) | $(verdict "$(awk -v v="$alloc_kb" 'BEGIN { n = v + 0; if (v ~ / B$/) n /= 1024; print n }')" 3 '<=') |"
  fi
  echo
  echo "## 1. Share callback at saturation (wrk, ${CONNECTIONS} connections, 1 thread, ${DURATION} s after a ${WARMUP} s warm-up)"
  echo
  echo "Each variant runs in a fresh process; the bare baseline runs first and last and the ratios use their mean ($BARE_RPS req/s)."
  echo "Background: gateway calls/s the fast gateway received during the run (the outbox's on-share and auth init)."
  echo "Host CPU: CPU time of the host process per accepted request (user + system, background work included): less"
  echo "sensitive than req/s to other work on the machine. JIT time: the JIT's compilation time during the window per request"
  echo "(tiered compilation still optimising hot code after the warm-up: a start-up cost). It is wall time, an upper bound of the JIT's"
  echo "CPU (\`bash bench/profile.sh\` attributes the CPU: the JIT compiler is libclrjit.so in its module table). Allocated: bytes the host process allocated per accepted request, background work included."
  echo
  echo "PostgreSQL: statements (pg_stat_statements calls, each statement of an Npgsql batch counted) / committed transactions"
  echo "(pg_stat_database) per accepted request, and the CPU of the PostgreSQL server processes, all work per share included (the"
  echo "outbox's too). A share's own write is 3 round trips (one batch of lookups, one batch of writes, COMMIT)."
  echo
  echo "| Variant | req/s | p50 | p99 | Throughput ratio to bare | Host CPU / request | JIT time (wall) / request | Background calls/s | Allocated / request | Redis commands (CPU) / request | PostgreSQL statements / commits (CPU) / request | Errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for k in "${!SAT_ORDER[@]}"; do
    line=${SAT[$((k + 1))]}
    echo "| $(describe "${SAT_ORDER[$k]}") | $(field rps "$line") | $(ms "$(field p50_us "$line")") | $(ms "$(field p99_us "$line")") | $(ratio "$(field rps "$line")" "$BARE_RPS") | $(field host_cpu_us_per_request "$line") us | $(field jit_us_per_request "$line") us | $(field gw_calls_per_s "$line") | $(field alloc_per_request "$line") B | $(redis_cell "$line") | $(pg_cell "$line") | $(field errors "$line") |"
  done
  echo
  echo "Disk: $FSYNC_PER_S synchronous 4 KiB writes/s (\`dd oflag=dsync\`) and **$(field commits_per_s "$SQLITE_COMMITS") durable SQLite commits/s** (one ~1 KB row per"
  echo "\`BEGIN IMMEDIATE\` transaction, WAL, default FULL sync, one writer: \`sqlite-commits\` in the temp folder where the store's file lives)."
  echo "The SQLite store makes each share durable before its 202 and then writes about 4 more times per share in the outbox (decision,"
  echo "acknowledged + linking started, init sent, plus leases), all through one writer that group-commits: the writes queued while"
  echo "it flushes share the next transaction (each in its own savepoint) and its one flush. With a commit per write this disk would"
  echo "allow about $(awk -v c="$(field commits_per_s "$SQLITE_COMMITS")" 'BEGIN { printf "%.0f", c / 5 }') shares/s ($(awk -v c="$(field commits_per_s "$SQLITE_COMMITS")" -v b="$BARE_RPS" 'BEGIN { printf "%.3f", c / 5 / b }') of the bare endpoint); with group commit the limit is the writer's CPU per"
  echo "operation (see the SQLite store micro-benchmarks below: one caller vs 32 concurrent callers). A burst is faster only while the"
  echo "outbox falls behind: see its background calls/s."
  echo
  echo "## 2. Latency at the same offered load (~$OFFERED req/s: ${CONNECTIONS} connections, each waiting ${DELAY} ms before its next request; $(( (WARMUP + 1) / 2 )) s warm-up)"
  echo
  echo "The load is half of what the in-memory variant sustains with its outbox keeping up ($MEMORY_SUSTAINED shares/s: half the gateway"
  echo "calls/s of its saturation run, two calls per share), so its acknowledgements are not queueing behind the requests."
  echo
  echo "wrk 4.1 has no open-loop fixed-rate mode (wrk2 is not packaged here): the load is paced per connection with wrk's"
  echo "\`delay()\` hook, so the offered rate is the same for every variant as long as its latency is small against ${DELAY} ms"
  echo "(the achieved rate column shows it), and coordinated omission is not corrected. Bare runs first and last; ratios use the mean p99."
  echo
  echo "| Variant | Achieved req/s | p50 | p90 | p99 | p99 ratio to bare |"
  echo "|---|---:|---:|---:|---:|---:|"
  for k in "${!PACED_ORDER[@]}"; do
    line=${PACED[$((k + 1))]}
    echo "| $(describe "${PACED_ORDER[$k]}") | $(field rps "$line") | $(ms "$(field p50_us "$line")") | $(ms "$(field p90_us "$line")") | $(ms "$(field p99_us "$line")") | $(ratio "$(field p99_us "$line")" "$P_BARE_P99") |"
  done
  echo
  echo "## 3. Full flow vs the HTTP bound"
  echo
  echo "One flow = share -> on-share -> auth init -> on-init -> auth confirm -> on-confirm -> linking token stored:"
  echo "6 HTTP exchanges (the session and the JWKS are fetched once per run; measured $(field exchanges_per_flow "$FLOW") exchanges per flow, $(field sessions "$FLOW") session and $(field certs "$FLOW") JWKS fetch)."
  echo "$FLOW_CONCURRENCY scans in flight after $FLOW_WARMUP s of warm-up flows (tiered compilation settles), each worker starting its next scan when its linking token is stored (the simulator's"
  echo "on-confirm answered 202, which the host does after the store write); new synthetic patient per scan; in-memory host in"
  echo "its own process with real JWT verification against the simulator's JWKS."
  echo
  echo "| Measure | Value |"
  echo "|---|---:|"
  echo "| Raw loopback HTTP rate (HttpClient, $FLOW_CONCURRENCY in flight, bare 202 endpoint) | $(field rps "$HTTPBOUND") req/s |"
  echo "| HTTP bound for flows (rate / 6) | $FLOW_BOUND flows/s |"
  echo "| Full flow rate ($(field flows "$FLOW") flows in $(field seconds "$FLOW") s, $(field failures "$FLOW") failed) | $FLOW_RATE flows/s |"
  echo "| Flow latency, scan to stored token: p50 / p99 | $(field p50_ms "$FLOW") ms / $(field p99_ms "$FLOW") ms |"
  echo "| **Ratio to the HTTP bound** | **$flow_ratio** |"
  echo "| CPU per raw HTTP exchange: server / client | $(field server_cpu_us_per_request "$HTTPBOUND") us / $(field client_cpu_us_per_request "$HTTPBOUND") us |"
  echo "| CPU per flow: host / simulator (+ driver), simulator in its Performance profile | $(field host_cpu_ms_per_flow "$FLOW") ms / $(field simulator_cpu_ms_per_flow "$FLOW") ms |"
  echo "| **Host CPU per flow / the server side of its 6 bare exchanges** | **$(awk -v h="$(field host_cpu_ms_per_flow "$FLOW")" -v s="$(field server_cpu_us_per_request "$HTTPBOUND")" 'BEGIN { printf "%.1f", h * 1000 / (6 * s) }') x** |"
  echo "| The same flow with the simulator in its Strict profile: flows/s, host / simulator CPU per flow | $(field flows_per_s "$FLOW_STRICT") flows/s, $(field host_cpu_ms_per_flow "$FLOW_STRICT") ms / $(field simulator_cpu_ms_per_flow "$FLOW_STRICT") ms |"
  echo "| Cores busy: HTTP-bound run / flow run (of $(nproc)) | $(field cpu_utilization "$HTTPBOUND") / $(field cpu_utilization "$FLOW") |"
  echo
  echo "Six exchanges cost $(awk -v s="$(field server_cpu_us_per_request "$HTTPBOUND")" -v c="$(field client_cpu_us_per_request "$HTTPBOUND")" 'BEGIN { printf "%.2f", 6 * (s + c) / 1000 }') ms of CPU as bare HTTP; one flow cost $(awk -v h="$(field host_cpu_ms_per_flow "$FLOW")" -v m="$(field simulator_cpu_ms_per_flow "$FLOW")" 'BEGIN { printf "%.2f", h + m }') ms, of which the simulator"
  echo "(Performance profile: the same validation and rules, verified session tokens remembered, the latest 1,024 journal entries; an RS512 linking token per flow) used"
  echo "$(field simulator_cpu_ms_per_flow "$FLOW") ms: with the simulator alone the flow rate on this machine cannot pass $(awk -v m="$(field simulator_cpu_ms_per_flow "$FLOW")" -v u="$(field cpu_utilization "$HTTPBOUND")" 'BEGIN { printf "%.0f", u * 1000 / m }') flows/s"
  echo "(the HTTP-bound run's busy cores / the simulator's CPU per flow), $(awk -v m="$(field simulator_cpu_ms_per_flow "$FLOW")" -v u="$(field cpu_utilization "$HTTPBOUND")" -v b="$FLOW_BOUND" 'BEGIN { printf "%.2f", u * 1000 / m / b }') of the HTTP bound."
  echo
  echo "## 4. Micro-benchmarks (BenchmarkDotNet 0.15.8, MemoryDiagnoser, short in-process job: 3 warm-up + 5 iterations)"
  echo
  echo "$MICRO"
  echo
  echo "The share body in these benchmarks (the documented v0.5 shape, a synthetic patient) is $(printf '%s' "$SAMPLE_BODY" | wc -c) bytes; the micro-benchmarks' \"Allocated\" excludes it (it is read from a pre-filled stream)."
  echo
  echo "## Commands"
  echo
  echo '```bash'
  echo "bash bench/run.sh   # BENCH_DURATION=$DURATION BENCH_WARMUP=$WARMUP BENCH_CONNECTIONS=$CONNECTIONS BENCH_FLOW_CONCURRENCY=$FLOW_CONCURRENCY"
  echo "# what it runs (URLs and ports vary):"
  echo "$(basename "$HOST_BIN") gateway --port 0 --token-file TOKEN            # fast 202 gateway + JWKS; writes one RS256 callback token"
  echo "redis-server --port PORT --bind 127.0.0.1 --save '' --appendonly no"
  echo "initdb -D DIR --auth=trust; pg_ctl -D DIR -w start   # port PORT on 127.0.0.1, pg_stat_statements (as postgres when root)"
  echo "$(basename "$HOST_BIN") host --variant bare|bare-bg|memory|sqlite|redis|postgres [--outbox off] --port 0 --gateway GATEWAY_URL [--sqlite FILE | --redis 127.0.0.1:PORT | --postgres CONNECTION-STRING --schema S]"
  echo "wrk -t1 -c$CONNECTIONS -d${WARMUP}s -s bench/wrk/share.lua URL$SHARE_PATH -- TOKEN 0                  # warm-up"
  echo "wrk -t1 -c$CONNECTIONS -d${DURATION}s --latency -s bench/wrk/share.lua URL$SHARE_PATH -- TOKEN 0        # saturation"
  echo "wrk -t1 -c$CONNECTIONS -d${DURATION}s --latency -s bench/wrk/share.lua URL$SHARE_PATH -- TOKEN $DELAY       # fixed load"
  echo "$(basename "$HOST_BIN") httpbound --concurrency $FLOW_CONCURRENCY --seconds $DURATION --warmup $WARMUP"
  echo "$(basename "$HOST_BIN") flow --concurrency $FLOW_CONCURRENCY --seconds $DURATION --warmup-seconds $FLOW_WARMUP --simulator performance|strict"
  echo "dotnet bench/Abdm.ProfileShare.Benchmarks/bin/Release/net10.0/Abdm.ProfileShare.Benchmarks.dll"
  echo '```'
  echo
  echo "Total time: $(( $(date +%s) - STARTED )) s."
} >"$OUT"
log "wrote $OUT"
