-- A citizen's report without media, as JSON, each with its own Idempotency-Key and description (and a point drawn
-- near the given one). Arguments: run prefix, category code, latitude, longitude.
-- wrk -s bench/wrk/json.lua http://127.0.0.1:PORT/api/v1/reports/ -- RUN CATEGORY LAT LON
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "lib.lua")

local run, category, lat, lon

function init(args)
   run, category = args[1] or "run", args[2] or "garbage"
   lat, lon = tonumber(args[3] or "16.4637"), tonumber(args[4] or "107.5909")
   math.randomseed(id * 7919 + os.time())
end

function request()
   local key = next_key(run)
   local body = string.format(
      '{"description": "Rác thải đổ bừa bãi ven đường [bench %s]", "latitude": "%.6f", "longitude": "%.6f", '
         .. '"category": "%s"}',
      key, lat + (math.random() - 0.5) * 0.004, lon + (math.random() - 0.5) * 0.004, category)
   return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Idempotency-Key"] = key}, body)
end
