-- POST /api/v1/cases/{id}/transitions `assign` with If-Match: each thread (one connection each)
-- owns one case from the file MOVES ("id version" a line) and keeps the ETag each answer returns.
local token = os.getenv("TOKEN")
local body = '{"action":"assign","handlers":["' .. os.getenv("HANDLER") .. '"]}'
local cases = {}
for line in io.lines(os.getenv("MOVES")) do cases[#cases + 1] = line end
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  local id, version = cases[counter]:match("(%S+)%s+(%S+)")
  thread:set("case_id", id)
  thread:set("etag", '"' .. version .. '"')
  table.insert(threads, thread)
end

function init(args)
  path = "/api/v1/cases/" .. case_id .. "/transitions"
  bad = 0
end

function request()
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["If-Match"] = etag,
  }, body)
end

function response(status, headers, body)
  if status == 200 then
    etag = headers["ETag"] or headers["etag"] or etag
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("bad") or 0) end
  io.write(string.format("non-200 answers: %d\n", total))
end
