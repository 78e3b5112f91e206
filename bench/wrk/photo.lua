-- A citizen's report with one photo, as a phone sends it (multipart/form-data), each with its own Idempotency-Key
-- and description. The JPEG is read once per thread; the fields before it change per request.
-- Arguments: run prefix, JPEG path, category code, latitude, longitude.
-- wrk -s bench/wrk/photo.lua http://127.0.0.1:PORT/api/v1/reports/ -- RUN PHOTO CATEGORY LAT LON
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "lib.lua")

local BOUNDARY = "----huesmart-bench-7d3f0a1c"
local run, category, lat, lon, tail

local function field(name, value)
   return "--" .. BOUNDARY .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\"\r\n\r\n" .. value .. "\r\n"
end

function init(args)
   run, category = args[1] or "run", args[3] or "garbage"
   lat, lon = tonumber(args[4] or "16.4637"), tonumber(args[5] or "107.5909")
   local file = assert(io.open(args[2], "rb"))
   local photo = file:read("*all")
   file:close()
   tail = "--" .. BOUNDARY .. "\r\nContent-Disposition: form-data; name=\"media\"; filename=\"IMG_0001.jpg\"\r\n"
      .. "Content-Type: image/jpeg\r\n\r\n" .. photo .. "\r\n--" .. BOUNDARY .. "--\r\n"
   math.randomseed(id * 7919 + os.time())
end

function request()
   local key = next_key(run)
   local body = field("description", "Rác thải đổ bừa bãi ven đường [bench " .. key .. "]")
      .. field("latitude", string.format("%.6f", lat + (math.random() - 0.5) * 0.004))
      .. field("longitude", string.format("%.6f", lon + (math.random() - 0.5) * 0.004))
      .. field("category", category) .. tail
   local headers = {["Content-Type"] = "multipart/form-data; boundary=" .. BOUNDARY, ["Idempotency-Key"] = key}
   return wrk.format("POST", nil, headers, body)
end
