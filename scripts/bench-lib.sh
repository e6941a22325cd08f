# Sourced by the benchmark scripts (needs PORT): one way to run the service beside a benchmark.
#   start_server LOG COMMAND...   runs the service's command in the background, its output appended to LOG, and waits
#                                 until it is ready on $PORT (or exits with LOG's tail if it dies first); SERVER is its pid
#   stop_server                   stops it and waits; also run on exit
SERVER=
start_server() {
  local log=$1
  shift
  "$@" >> "$log" 2>&1 &
  SERVER=$!
  until curl -sf "localhost:$PORT/actuator/health/readiness" >/dev/null; do
    kill -0 "$SERVER" 2>/dev/null || { tail -20 "$log"; exit 1; }
    sleep 1
  done
}
stop_server() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}
trap stop_server EXIT
