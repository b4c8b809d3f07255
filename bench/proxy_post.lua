-- wrk script for the aip proxy benchmark: each call POSTs a 2026 tools/call — a different
-- pre-signed request per call (SIGNED_REQUESTS: a nonce is accepted once) when calling the server
-- directly, or the same unsigned request with the proxy's token (PROXY_TOKEN), which the proxy
-- signs afresh. Every answer is checked: HTTP 200 with a JSON-RPC result, else it counts as bad.
local lines = {}
local next_line = 1
local unsigned = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tasks","arguments":{"project":"project-a"},' ..
                 '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'
local token = os.getenv("PROXY_TOKEN")
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  bad = 0
  local file = os.getenv("SIGNED_REQUESTS")
  if file and file ~= "" then
    for line in io.lines(file) do lines[#lines + 1] = line end
  end
end
function request()
  local body = unsigned
  if #lines > 0 then
    body = lines[next_line]
    next_line = next_line % #lines + 1
  end
  local headers = {
    ["Content-Type"] = "application/json", ["Accept"] = "application/json, text/event-stream",
    ["MCP-Protocol-Version"] = "2026-07-28", ["Mcp-Method"] = "tools/call", ["Mcp-Name"] = "list_tasks",
    ["Mcp-Param-Project"] = "project-a"}
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("POST", nil, headers, body)
end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"result"', 1, true) or string.find(body, '"error"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + (t:get("bad") or 0) end
  io.write(string.format("BENCH calls_per_s=%.0f p50_us=%.0f p99_us=%.0f requests=%d bad=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99), summary.requests, b))
end
