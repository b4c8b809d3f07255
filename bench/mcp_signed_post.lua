-- wrk script: POST a different pre-signed request on every call (each nonce may be used once);
-- every answer checked (checked_answers.lua).
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "checked_answers.lua")
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
