-- wrk script for the serving benchmark: POSTs the JPEG files listed (space-separated) in WRK_IMAGES to the URL
-- given to wrk, one after another, as image/jpeg bodies.
--   WRK_IMAGES="$(echo target/bench/images/*.jpg)" wrk -t1 -c32 -d20s --latency -s scripts/wrk-classify.lua URL
local paths = {}
for path in string.gmatch(os.getenv("WRK_IMAGES") or "", "%S+") do
	paths[#paths + 1] = path
end
local requests = {}
local next = 0

function init(args)
	assert(#paths > 0, "WRK_IMAGES names no files")
	for _, path in ipairs(paths) do
		local file = assert(io.open(path, "rb"))
		local body = file:read("*all")
		file:close()
		requests[#requests + 1] = wrk.format("POST", nil, { ["Content-Type"] = "image/jpeg" }, body)
	end
end

function request()
	next = next % #requests + 1
	return requests[next]
end
