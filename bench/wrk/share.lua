-- wrk (4.1) script for POST /v0.5/patients/profile/share, as the ABDM gateway sends it:
-- one signed gateway token for the whole run (the gateway reuses its token), X-HIP-ID, and the documented v0.5 share body
-- with a unique requestId (UUID) and a distinct synthetic PHR address (bench.tT.N@sbx) in every request.
--
--   wrk -t1 -c32 -d10s -s share.lua http://127.0.0.1:PORT/v0.5/patients/profile/share -- TOKEN_FILE [DELAY_MS]
--
-- DELAY_MS > 0 paces each connection (wrk's delay() hook: that many ms before each request), for a fixed
-- offered load of about connections * 1000 / (DELAY_MS + latency) requests/s.
-- done() prints one machine-readable line: BENCH-RESULT wrk requests=.. rps=.. p50_us=.. p99_us=.. errors=..

local threads = {}
local counter = 0
local run_prefix = 0
local token = ""
local pace_ms = 0

local template = '{"requestId":"%s","timestamp":"2022-05-10T14:19:12.993Z","profile":{"hipCode":"counter-%d",'
  .. '"patient":{"healthId":"bench.t%d.%d@sbx","healthIdNumber":null,"name":"Bench Testpatient %d","gender":"F",'
  .. '"address":{"line":"12 Sample Street","district":"Bengaluru Urban","state":"Karnataka","pincode":"560001"},'
  .. '"yearOfBirth":1990,"dayOfBirth":27,"monthOfBirth":2,'
  .. '"identifiers":[{"type":"MOBILE","value":"+91-9%09d"}]}}}'

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

function init(args)
  local file = assert(io.open(args[1], "r"), "token file not readable")
  token = file:read("*l")
  file:close()
  pace_ms = tonumber(args[2] or "0") or 0
  if pace_ms <= 0 then
    delay = nil -- unpaced: wrk sends the next request as soon as the answer arrives
  end
  thread_id = thread_id or 1
  math.randomseed(os.time() + thread_id * 7919)
  run_prefix = math.random(0, 0x7fffffff)
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["X-HIP-ID"] = "HIP-BENCH-1"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  -- 8-4-4-4-12 hex, version 4, variant 8: run prefix, thread, counter (unique within a run).
  local id = string.format("%08x-%04x-4%03x-8%03x-%012x", run_prefix, thread_id, 0, math.random(0, 0xfff), counter)
  local body = string.format(template, id, counter % 4 + 1, thread_id, counter, counter, counter % 1000000000)
  return wrk.format(nil, nil, nil, body)
end

function delay()
  return pace_ms
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format("BENCH-RESULT wrk requests=%d seconds=%.2f rps=%.0f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d status_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, errors, summary.errors.status))
end
