#!/usr/bin/env bash
# Reliability check for issue 16 (not CI): the "16 parallel 78 MB tensors" attack against a service with a 1 GB
# heap, on loopback. Three rounds of 16 at once, each request timed:
#   1. POST /v2/models/<forecaster>/infer with Content-Length  (the version's limits refuse it by its length)
#   2. POST /api/v1/models/nope/forecast with Content-Length   (unknown model: 404 before the body is read)
#   3. POST /v2/models/<forecaster>/infer chunked, no length     (refused while streaming)
# then liveness, readiness, and one ordinary OIP request. curl streams the file (-T) and sends Expect: 100-continue.
# Everything it writes goes under target/reliability/.
#
#   scripts/reliability-oom.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
OUT=target/reliability
PORT=${RELIABILITY_PORT:-18091}
mkdir -p "$OUT"

./mvnw -o -q compile
./mvnw -o -q dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null
CP="target/classes:$(cat "$OUT/classpath.txt")"

# the issue's body: 20 million "0.1," in one flat FP32 tensor, about 78 MB
BODY="$OUT/tensor-78mb.json"
[ -s "$BODY" ] || python3 - "$BODY" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('{"inputs":[{"name":"series","shape":[20000000],"datatype":"FP32","data":[')
    f.write("0.1," * 19_999_999 + "0.1")
    f.write("]}]}")
PY
ls -l "$BODY"

rm -rf "$OUT/data"
: > "$OUT/server.log"
start_server "$OUT/server.log" java -Xmx1g ${SERVER_JAVA_OPTS:-} -cp "$CP" io.deepserve.DeepserveApplication \
  --server.port="$PORT" --deepserve.data-dir="$PWD/$OUT/data"
API="localhost:$PORT/api/v1"
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

SINE=$(curl -sf -X POST "$API/datasets/samples/sine?name=rel-sine&rows=500" | field "d['id']")
JOB=$(curl -sf -H 'Content-Type: application/json' -d "{\"model\":\"rel-rnn\",\"task\":\"forecasting\",
  \"architecture\":\"rnn\",\"dataset\":\"$SINE\",\"target\":\"value\",
  \"hyperparameters\":{\"window\":10,\"horizon\":3,\"hiddenSize\":8,\"layers\":1,\"epochs\":1}}" \
  "$API/training-jobs" | field "d['id']")
until curl -sf "$API/training-jobs/$JOB" | grep -q '"status":"SUCCEEDED"'; do
  curl -sf "$API/training-jobs/$JOB" | grep -qE '"status":"(FAILED|CANCELLED)"' && { echo "training failed"; exit 1; }
  sleep 1
done
GOOD='{"inputs":[{"name":"series","shape":[1,10],"datatype":"FP32","data":[1,2,3,4,5,6,7,8,9,10]}]}'
echo "before: $(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "$GOOD" \
  "localhost:$PORT/v2/models/rel-rnn/infer") for an ordinary OIP request"

heap() {
  curl -s "localhost:$PORT/actuator/metrics/jvm.memory.used?tag=area:heap" | field "round(d['measurements'][0]['value']/2**20)"
}

attack() { # name, url, extra curl arguments...
  local name=$1 url=$2
  shift 2
  local start
  start=$(date +%s.%N)
  local clients=()
  for i in $(seq 1 16); do
    curl -s -o "$OUT/$name-$i.body" -w "%{http_code} %{time_total}\n" --max-time 120 \
      -H 'Content-Type: application/json' "$@" -X POST -T "$BODY" "$url" > "$OUT/$name-$i.status" 2>&1 &
    clients+=($!)
  done
  wait "${clients[@]}" || true
  local codes
  codes=$(cat "$OUT"/$name-*.status | awk '{print $1}' | sort | uniq -c | xargs)
  local slowest
  slowest=$(cat "$OUT"/$name-*.status | awk '{print $2}' | sort -n | tail -1)
  echo "$name: 16 requests in $(python3 -c "print(round($(date +%s.%N) - $start, 2))") s; statuses: $codes;" \
    "slowest ${slowest} s; heap used after: $(heap) MB"
  grep -ho '"code":"[a-z_]*"' "$OUT"/$name-*.body | sort | uniq -c | xargs echo "  codes:"
}

echo "heap used before: $(heap) MB (max 1024)"
attack oip-length "localhost:$PORT/v2/models/rel-rnn/infer"
attack unknown-model "$API/models/nope/forecast"
attack oip-chunked "localhost:$PORT/v2/models/rel-rnn/infer" -H 'Transfer-Encoding: chunked'

echo "liveness: $(curl -s -w ' %{http_code}' "localhost:$PORT/actuator/health/liveness" | tr -d '\n')"
echo "readiness: $(curl -s -o /dev/null -w '%{http_code}' "localhost:$PORT/actuator/health/readiness")"
echo "after: $(curl -s -w ' %{http_code}' -H 'Content-Type: application/json' -d "$GOOD" \
  "localhost:$PORT/v2/models/rel-rnn/infer")"
echo "gc: $(curl -s "localhost:$PORT/actuator/metrics/jvm.gc.pause" | field "[(m['statistic'], round(m['value'], 3)) for m in d['measurements']]")"
kill $SERVER
wait $SERVER 2>/dev/null || true
echo "stopped by SIGTERM: $(kill -0 $SERVER 2>/dev/null && echo no || echo yes)"
