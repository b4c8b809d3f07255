-- wrk script: POST a request signed the Python AIP way, a different nonce on every call (the
-- first line of LEGACY_REQUESTS is the DID; then ts<TAB>nonce<TAB>signature<TAB>body). Every
-- answer is checked: HTTP 200 with a JSON-RPC result, else it counts as bad.
local lines = {}
local did
local next_line = 1
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  bad = 0
  for line in io.lines(os.getenv("LEGACY_REQUESTS")) do
    if did == nil then did = line else lines[#lines + 1] = line end
  end
end
function request()
  local ts, nonce, sig, body = lines[next_line]:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)")
  next_line = next_line % #lines + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Accept"] = "application/json",
    ["X-AIP-DID"] = did, ["X-AIP-Signature"] = sig, ["X-AIP-Timestamp"] = ts, ["X-AIP-Nonce"] = nonce}, body)
end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"result"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + (t:get("bad") or 0) end
  io.write(string.format("BENCH calls_per_s=%.0f p50_us=%.0f p99_us=%.0f requests=%d bad=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99), summary.requests, b))
end
