-- Shared by the wrk scripts that must not count a refusal as served: every answer is checked
-- (HTTP 200 with a JSON-RPC result and no error, and holding $EXPECT_IN_BODY when that is set)
-- and the bad ones are summed over the threads into the BENCH line. Load it with dofile() from
-- the script's own folder.
local threads = {}
function setup(thread) table.insert(threads, thread) end
bad = 0
local expect = os.getenv("EXPECT_IN_BODY")
if expect == "" then expect = nil end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"result"', 1, true) or string.find(body, '"error"', 1, true) or
     (expect and not string.find(body, expect, 1, true)) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + (t:get("bad") or 0) end
  io.write(string.format("BENCH calls_per_s=%.0f p50_us=%.0f p99_us=%.0f requests=%d bad=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99), summary.requests, b))
end
