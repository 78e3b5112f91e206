-- Plain GETs of the URL given to wrk (an anonymous reader: no cookie), counted by status.
-- wrk -s bench/wrk/get.lua http://127.0.0.1:PORT/cases/HUE-26-00001/
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "lib.lua")
