-- GET /api/v1/cases/{id} over random ids from the file CASES (one id a line).
local ids = {}
for line in io.lines(os.getenv("CASES")) do ids[#ids + 1] = line end
local token = os.getenv("TOKEN")
math.randomseed(os.time())
request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/api/v1/cases/" .. id, { ["Authorization"] = "Bearer " .. token })
end
