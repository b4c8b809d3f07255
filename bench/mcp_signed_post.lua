-- wrk script: POST a different pre-signed request on every call (each nonce may be used once).
local lines = {}
local next_line = 1
init = function(args)
  for line in io.lines(os.getenv("SIGNED_REQUESTS")) do lines[#lines + 1] = line end
end
local api_key = os.getenv("API_KEY")
request = function()
  local body = lines[next_line]
  next_line = next_line % #lines + 1
  local headers = {
    ["Content-Type"] = "application/json", ["Accept"] = "application/json, text/event-stream",
    ["MCP-Protocol-Version"] = "2026-07-28", ["Mcp-Method"] = "tools/call", ["Mcp-Name"] = "list_tasks",
    ["Mcp-Param-Project"] = "project-a"}
  if api_key ~= nil and api_key ~= "" then headers["X-Api-Key"] = api_key end
  return wrk.format("POST", nil, headers, body)
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH calls_per_s=%.0f p50_us=%.0f p99_us=%.0f requests=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, summary.errors.status))
end
