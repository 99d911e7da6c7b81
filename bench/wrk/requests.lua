-- wrk script for bench/load: the same request over and over, and a machine-readable summary at the end.
--   BODY=FILE  POST the file's bytes as application/json (without BODY: GET, for the hello-world peer)
-- The URL's path and query are wrk's. At the end one line `LOAD-JSON {...}`: requests, duration, errors and
-- latency percentiles in microseconds (wrk's own --latency table is printed too).
local body = os.getenv("BODY")
if body and body ~= "" then
  local f = assert(io.open(body, "rb"))
  wrk.method = "POST"
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LOAD-JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p99.9":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
