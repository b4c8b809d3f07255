-- wrk script: POST one MCP JSON-RPC request per call, keep-alive. Body and headers come from
-- environment variables set by mcp_http_bench.sh; every answer checked (checked_answers.lua).
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "checked_answers.lua")
wrk.method = "POST"
wrk.body = os.getenv("MCP_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
for name, var in pairs({["Mcp-Session-Id"] = "MCP_SESSION", ["MCP-Protocol-Version"] = "MCP_VERSION",
                        ["Mcp-Method"] = "MCP_METHOD", ["Mcp-Name"] = "MCP_NAME", ["Mcp-Param-Project"] = "MCP_PROJECT"}) do
  local v = os.getenv(var)
  if v and v ~= "" then wrk.headers[name] = v end
end
