-- wrk script for scripts/bench-forecast.sh: POSTs the JSON body in the file named by $BODY
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open(os.getenv("BODY"), "r")
wrk.body = f:read("*a")
f:close()
