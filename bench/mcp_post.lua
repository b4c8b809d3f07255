-- wrk script: POST one MCP JSON-RPC request per call, keep-alive. Body and headers come from
-- environment variables set by mcp_http_bench.sh.
wrk.method = "POST"
wrk.body = os.getenv("MCP_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
for name, var in pairs({["Mcp-Session-Id"] = "MCP_SESSION", ["MCP-Protocol-Version"] = "MCP_VERSION",
                        ["Mcp-Method"] = "MCP_METHOD", ["Mcp-Name"] = "MCP_NAME", ["Mcp-Param-Project"] = "MCP_PROJECT"}) do
  local v = os.getenv(var)
  if v and v ~= "" then wrk.headers[name] = v end
end

local errors = 0
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"result"') then errors = errors + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("BENCH calls_per_s=%.0f p50_us=%.0f p99_us=%.0f requests=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, summary.errors.status))
end
