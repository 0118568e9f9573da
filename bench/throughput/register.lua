-- POST /api/v1/cases with the body in the file BODY.
local token = os.getenv("TOKEN")
local f = assert(io.open(os.getenv("BODY")))
local body = f:read("*a")
f:close()
request = function()
  return wrk.format("POST", "/api/v1/cases", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end
