-- wrk script for bench/signin_flood.sh: sign-ins with random usernames (and a wrong password).
-- With FLOOD_XFF=1 each request also says `X-Forwarded-For: <random 10.x.y.z>`, so behind
-- FUYI_TRUSTED_PROXIES=127.0.0.1 every request comes from a new address and no per-address limit
-- applies: only the bound on password hashing stands between the flood and Argon2.
-- Counts the answers by status and prints them at the end.

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

function init(args)
   math.randomseed(os.time() * 1000 + id)
   statuses = {}
   xff = os.getenv("FLOOD_XFF") == "1"
end

function request()
   local name = string.format("u%08x", math.random(0, 0x7fffffff))
   local headers = { ["Content-Type"] = "application/json" }
   if xff then
      headers["X-Forwarded-For"] = string.format("10.%d.%d.%d",
         math.random(0, 255), math.random(0, 255), math.random(1, 254))
   end
   local body = '{"username":"' .. name .. '","password":"wrong-password"}'
   return wrk.format("POST", "/api/v1/auth/token", headers, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         total[status] = (total[status] or 0) + n
      end
   end
   local keys = {}
   for status in pairs(total) do table.insert(keys, status) end
   table.sort(keys)
   for _, status in ipairs(keys) do
      io.write(string.format("status %d: %d\n", status, total[status]))
   end
end
