# Shared by bench/run.sh and bench/share-variant.sh (sourced, not run): the work folder and the processes it
# starts (stopped on exit), the bench host binary, and small helpers. The caller sets BENCH_DIR and defines log().

WORK=$(mktemp -d "/tmp/${BENCH_WORK_PREFIX:-abdm-bench}.XXXXXX")
PIDS=()
PG_DIR=""
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n "$PG_DIR" ]]; then pg_as_owner "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m immediate -w stop" >/dev/null 2>&1 || true; rm -rf "$PG_DIR"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# build_host: sets HOST_BIN to BENCH_HOST_DIR's host, or builds the bench host in Release.
build_host() {
  if [[ -n "${BENCH_HOST_DIR:-}" ]]; then
    HOST_BIN="$BENCH_HOST_DIR/Abdm.ProfileShare.Benchmarks.Host"
    return
  fi

  log "building (Release)"
  dotnet build "$BENCH_DIR/Abdm.ProfileShare.Benchmarks.Host/Abdm.ProfileShare.Benchmarks.Host.csproj" -c Release -nologo -v q >"$WORK/build-host.log" 2>&1 \
    || { cat "$WORK/build-host.log"; exit 1; }
  HOST_BIN="$BENCH_DIR/Abdm.ProfileShare.Benchmarks.Host/bin/Release/net10.0/Abdm.ProfileShare.Benchmarks.Host"
}

# start NAME CMD...: runs CMD in the background (output in $WORK/NAME.out), waits for its BENCH-READY line and sets
# READY_URL (the URL it printed) and LAST_PID.
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
    kill -0 "$LAST_PID" 2>/dev/null || { cat "$WORK/$name.out" >&2; log "$name exited before it was ready"; exit 1; }
    sleep 0.1
  done
  log "$name not ready after 30 s"; exit 1
}

stop() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

free_port() {
  local port
  while :; do
    port=$(( 20000 + RANDOM % 30000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# start_redis: a throw-away redis-server on a free loopback port (stopped on exit); sets REDIS_PORT and REDIS_PID.
start_redis() {
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --loglevel warning >"$WORK/redis.out" 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$REDIS_PORT" ping >/dev/null
}

# start_postgres: a throw-away PostgreSQL cluster (apt's postgresql, as the postgres user when root) on a free loopback
# port with pg_stat_statements, stopped and removed on exit; sets PG_PORT, PG_CS (the connection string), PG_BIN, PG_DIR.
pg_as_owner() { if [[ $(id -u) == 0 ]]; then su postgres -s /bin/bash -c "cd / && $1"; else bash -c "$1"; fi; }
start_postgres() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [[ -z "$PG_BIN" ]]; then
    log "installing postgresql (apt-get)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  PG_DIR=$(mktemp -d /tmp/abdm-bench-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  [[ $(id -u) == 0 ]] && chown postgres "$PG_DIR"
  PG_PORT=$(free_port)
  pg_as_owner "'$PG_BIN/initdb' -D '$PG_DIR/data' -U postgres --auth=trust -E UTF8 --no-sync" >"$WORK/initdb.out" 2>&1 || { cat "$WORK/initdb.out"; exit 1; }
  printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nshared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = all\n" \
    "$PG_PORT" "$PG_DIR" >>"$PG_DIR/data/postgresql.conf"
  pg_as_owner "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/log' -w start" >/dev/null || { cat "$PG_DIR/log"; exit 1; }
  PG_CS="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
  pg_sql "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
}
# pg_sql SQL: runs SQL on the bench cluster, unaligned output.
pg_sql() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -XAtq -c "$1"; }
# pg_counters: "statements commits cpu_ms" of the bench cluster (statements from pg_stat_statements, commits from
# pg_stat_database, CPU of the postmaster and its children).
pg_counters() {
  local statements commits master cpu=0 pid
  statements=$(pg_sql "SELECT COALESCE(SUM(calls), 0) FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat%'")
  commits=$(pg_sql "SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'")
  master=$(head -1 "$PG_DIR/data/postmaster.pid")
  for pid in "$master" $(ps --ppid "$master" -o pid= 2>/dev/null); do cpu=$((cpu + $(cpu_ms "$pid" 2>/dev/null || echo 0))); done
  echo "$statements $commits $cpu"
}

# field KEY LINE: the value of KEY=value in a BENCH-RESULT line.
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print $2 }'; }
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1000 / hz }' "/proc/$1/stat"; }

# host_args VARIANT INDEX: the bench host's arguments for a share-endpoint variant (GATEWAY_URL, REDIS_PORT, PG_CS set).
host_args() {
  case $1 in
    bare) echo "host --variant bare --port 0" ;;
    bare-bg) echo "host --variant bare-bg --port 0 --gateway $GATEWAY_URL" ;;
    memory-hot) echo "host --variant memory --outbox off --port 0 --gateway $GATEWAY_URL" ;;
    memory) echo "host --variant memory --port 0 --gateway $GATEWAY_URL" ;;
    sqlite) echo "host --variant sqlite --port 0 --gateway $GATEWAY_URL --sqlite $WORK/share-$2.db" ;;
    redis) echo "host --variant redis --port 0 --gateway $GATEWAY_URL --redis 127.0.0.1:$REDIS_PORT --key-prefix abdm:bench:$2:" ;;
    postgres) echo "host --variant postgres --port 0 --gateway $GATEWAY_URL --postgres $PG_CS --schema bench_$2" ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}
