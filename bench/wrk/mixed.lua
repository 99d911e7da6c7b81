-- wrk script for bench/load's mixed run: out of every 20 requests, 18 well-formed (GOOD, expect 200), one
-- malformed (MALFORMED, expect 422) and one over the body limit (OVERSIZED, expect 413), in a fixed order.
-- Counts what was sent per class (request()) and every status received (response()); wrk cannot tell which
-- request a response answers, so classes are checked by status: any 5xx at all fails the run.
-- Ends with one line `LOAD-JSON {...}` (as requests.lua) plus "sent" and "status" tables.
local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

sent = { good = 0, malformed = 0, oversized = 0 }
status = {}
local pattern = {}
local reqs = {}
local n = 0

function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  reqs.good = wrk.format("POST", nil, headers, slurp(os.getenv("GOOD")))
  reqs.malformed = wrk.format("POST", nil, headers, slurp(os.getenv("MALFORMED")))
  reqs.oversized = wrk.format("POST", nil, headers, slurp(os.getenv("OVERSIZED")))
  for i = 1, 20 do pattern[i] = "good" end
  pattern[7] = "malformed"
  pattern[17] = "oversized"
end

function request()
  n = n + 1
  local class = pattern[(n - 1) % 20 + 1]
  sent[class] = sent[class] + 1
  return reqs[class]
end

function response(code, headers, body)
  local k = tostring(code)
  status[k] = (status[k] or 0) + 1
end

function done(summary, latency, requests)
  local total_sent = { good = 0, malformed = 0, oversized = 0 }
  local total_status = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("sent")) do total_sent[k] = total_sent[k] + v end
    for k, v in pairs(t:get("status")) do total_status[k] = (total_status[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total_status) do parts[#parts + 1] = string.format('"%s":%d', k, v) end
  local e = summary.errors
  io.write(string.format(
    'LOAD-JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p99.9":%d,"max":%d,"mean":%.1f},' ..
    '"sent":{"good":%d,"malformed":%d,"oversized":%d},"status":{%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean,
    total_sent.good, total_sent.malformed, total_sent.oversized, table.concat(parts, ",")))
end
