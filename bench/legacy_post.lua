-- wrk script: POST a request signed the Python AIP way, a different nonce on every call (the
-- first line of LEGACY_REQUESTS is the DID; then ts<TAB>nonce<TAB>signature<TAB>body). Every
-- answer is checked: HTTP 200 with a JSON-RPC result, else it counts as bad. The body is a
-- 2026-07-28 tools/call of list_tasks, so the routing headers a 2026 server checks go with it.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "checked_answers.lua")
local lines = {}
local did
local next_line = 1
function init(args)
  for line in io.lines(os.getenv("LEGACY_REQUESTS")) do
    if did == nil then did = line else lines[#lines + 1] = line end
  end
end
function request()
  local ts, nonce, sig, body = lines[next_line]:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)")
  next_line = next_line % #lines + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Accept"] = "application/json",
    ["MCP-Protocol-Version"] = "2026-07-28", ["Mcp-Method"] = "tools/call", ["Mcp-Name"] = "list_tasks",
    ["Mcp-Param-Project"] = "project-a", ["X-AIP-DID"] = did, ["X-AIP-Signature"] = sig, ["X-AIP-Timestamp"] = ts, ["X-AIP-Nonce"] = nonce}, body)
end
