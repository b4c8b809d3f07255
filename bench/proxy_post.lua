-- wrk script for the aip proxy benchmark: each call POSTs a 2026 tools/call — a different
-- pre-signed request per call (SIGNED_REQUESTS: a nonce is accepted once) when calling the server
-- directly, or the same unsigned request with the proxy's token (PROXY_TOKEN), which the proxy
-- signs afresh. Every answer is checked: HTTP 200 with a JSON-RPC result, else it counts as bad.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "checked_answers.lua")
local lines = {}
local next_line = 1
local unsigned = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tasks","arguments":{"project":"project-a"},' ..
                 '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'
local token = os.getenv("PROXY_TOKEN")
function init(args)
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
