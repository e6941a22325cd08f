#!/usr/bin/env bash
# Forecasting benchmark (issue 4). Two parts, one server:
#  1. /forecast latency: an LSTM (window 60, hidden 64, 2 layers, horizon 5) trained briefly on the sine sample,
#     hit over HTTP at concurrency 1 and 16 by the serving benchmark's load generator, then the same parameters in
#     an in-process DJL predictor at the same concurrencies.
#  2. a real series: an LSTM trained on DAX daily closes (../shared/data/series/datasets_EuStockMarkets.csv), raw
#     and as log-returns, with the holdout backtest against the naive and seasonal-naive forecasts.
# Everything it writes goes under target/bench-forecast/.
#
#   scripts/bench-forecast.sh [SECONDS_PER_POINT] [REAL_EPOCHS]     # defaults 20 and 30; the short check used 5 and 8
#   WARMUP_SECONDS=60: load at concurrency 4 before the measured points (the JIT's warm-up)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
SECONDS_PER_POINT=${1:-20}
REAL_EPOCHS=${2:-30}
OUT=target/bench-forecast
PORT=${BENCH_PORT:-18081}
SERIES=${SERIES_CSV:-/work/shared/data/series/datasets_EuStockMarkets.csv}
mkdir -p "$OUT"

./mvnw -o -q -DskipTests package
./mvnw -o -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null
CP="target/classes:target/test-classes:$(cat "$OUT/classpath.txt")"
JAR=$(ls target/deepserve-*.jar | grep -v original | head -1)

rm -rf "$OUT/data"
: > "$OUT/server.log"
start_server "$OUT/server.log" java ${SERVER_JAVA_OPTS:-} -jar "$JAR" --server.port="$PORT" --deepserve.data-dir="$PWD/$OUT/data"
API="localhost:$PORT/api/v1"
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

train() { # model, architecture, dataset, target, hyperparameters JSON -> prints the finished job
  local id
  id=$(curl -sf -H 'Content-Type: application/json' -d "{\"model\":\"$1\",\"task\":\"forecasting\",
    \"architecture\":\"$2\",\"dataset\":\"$3\",\"target\":\"$4\",\"hyperparameters\":$5}" "$API/training-jobs" | field "d['id']")
  while :; do
    local job status
    job=$(curl -sf "$API/training-jobs/$id")
    status=$(echo "$job" | field "d['status']")
    case $status in SUCCEEDED|FAILED|CANCELLED) echo "$job"; return;; esac
    sleep 2
  done
}

echo "## $(date -u +%FT%TZ) on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
SINE=$(curl -sf -X POST "$API/datasets/samples/sine?name=bench-sine&rows=2000" | field "d['id']")
job=$(train bench-lstm lstm "$SINE" value '{"window":60,"horizon":5,"hiddenSize":64,"layers":2,"epochs":3}')
echo "bench-lstm: $(echo "$job" | field "d['status'], d.get('resultModel'), d.get('error')")"

# request bodies: 60-value windows cut from the sample, as an analyst's app would send them
rm -rf "$OUT/bodies" && mkdir -p "$OUT/bodies"
python3 - "$OUT/bodies" <<'PY'
import json, math, random, sys
random.seed(1)
for i in range(64):
    start = random.randrange(0, 1900)
    series = [round(100 + 0.02 * t + 10 * math.sin(2 * math.pi * t / 365.25) + 3 * math.sin(2 * math.pi * t / 7)
                    + random.gauss(0, 1.5), 4) for t in range(start, start + 60)]
    open(f"{sys.argv[1]}/{i:02d}.json", "w").write(json.dumps({"series": series, "horizon": 5}))
PY
curl -s -H 'Content-Type: application/json' --data-binary @"$OUT/bodies/00.json" "$API/models/bench-lstm/forecast"; echo
# the JIT compiles the request path only after some thousands of requests: before that a trivial GET took 4-5 ms here
printf 'warm-up, not measured: '
java -Dbench.contentType=application/json -cp target/test-classes io.deepserve.bench.LoadGenerator \
  "http://127.0.0.1:$PORT/api/v1/models/bench-lstm/forecast" "$OUT/bodies" 4 "${WARMUP_SECONDS:-60}" 0
for c in 1 16; do
  printf 'http /forecast '
  java -Dbench.contentType=application/json -cp target/test-classes io.deepserve.bench.LoadGenerator \
    "http://127.0.0.1:$PORT/api/v1/models/bench-lstm/forecast" "$OUT/bodies" "$c" "$SECONDS_PER_POINT" 3
done
# the same points from Debian's wrk where installed (C, one thread): the JDK HttpClient above costs about a
# millisecond per request of its own on these two cores
if command -v wrk >/dev/null; then
  for c in 1 16; do
    printf 'wrk /forecast concurrency=%s: ' "$c"
    BODY="$OUT/bodies/00.json" wrk -t1 -c"$c" -d"${SECONDS_PER_POINT}s" --latency -s scripts/wrk-forecast.lua \
      "http://127.0.0.1:$PORT/api/v1/models/bench-lstm/forecast" | grep -E "Requests/sec|  50%|  99%|Non-2xx" | xargs
  done
fi
curl -s "localhost:$PORT/actuator/prometheus" | grep -E '^deepserve_inference_(batch_size|latency_seconds)_(count|sum)\{.*bench-lstm' || true

# the same parameters, in process
rm -rf "$OUT/bench-lstm" && mkdir -p "$OUT/bench-lstm"
curl -sf -o "$OUT/bench-lstm.zip" "$API/models/bench-lstm/versions/1/artifact"
(cd "$OUT/bench-lstm" && python3 -m zipfile -e ../bench-lstm.zip .)

cat > "$OUT/report.py" <<'PY'
import json, sys
m = json.load(sys.stdin)["metrics"]
b = m["backtest"]
print("  split", m["split"], " best epoch", m["bestEpoch"], " holdout windows", b["windows"])
for name in ("model", "naive", "seasonalNaive"):
    s = b[name]
    print("  %-14s RMSE %8.2f  MAE %8.2f  MAPE %5.2f%%  MASE %5.2f  (step 1 MAE %.2f, step 5 MAE %.2f)" % (
        name, s["rmse"], s["mae"], s["mape"], s["mase"], s["byHorizon"][0]["mae"], s["byHorizon"][-1]["mae"]))
print("  beatsNaive", m["beatsNaive"], " beatsSeasonalNaive", m["beatsSeasonalNaive"],
      " band coverage by level", b["bandCoverage"])
PY
echo "## real series: DAX daily closes, $(($(wc -l < "$SERIES") - 1)) rows"
REAL=$(curl -sf -F name=eustockmarkets -F kind=series -F file=@"$SERIES" "$API/datasets" | field "d['id']")
for transform in none log-returns; do
  job=$(train "dax-lstm-$transform" lstm "$REAL" DAX "{\"window\":30,\"horizon\":5,\"hiddenSize\":32,\"layers\":1,
    \"epochs\":$REAL_EPOCHS,\"earlyStoppingPatience\":5,\"learningRate\":0.003,\"season\":5,\"targetTransform\":\"$transform\"}")
  model=$(echo "$job" | field "d.get('resultModel') or d.get('error')")
  echo "dax-lstm targetTransform=$transform -> $model"
  curl -sf "$API/models/dax-lstm-$transform/versions/1" | python3 "$OUT/report.py"
done
stop_server

# one thread per predictor, as the service's forecast workers run (serving.threads 1), then the engine's two
for threads in 1 0; do
  printf 'in process, threads per predictor %s: ' "$([ "$threads" = 0 ] && echo "the engine's" || echo "$threads")"
  java -Dbench.threads=$threads -Dai.djl.offline=true -DDJL_CACHE_DIR=target/djl-cache -DENGINE_CACHE_DIR=target/djl-cache \
    -cp "$CP" io.deepserve.bench.ForecastPredictorBench "$OUT/bench-lstm" "$SECONDS_PER_POINT" 60 64 2 5 1 16 2>/dev/null \
    | grep djl-predictor | tr '\n' ' '
  echo
done
