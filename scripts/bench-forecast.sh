#!/usr/bin/env bash
# Forecasting benchmark (issue 4). Part 1: p50/p99 latency and requests/s of POST /forecast for an LSTM (window 60,
# hidden 64, 2 layers) trained on the sine sample, at concurrency 1 and 16, beside an in-process DJL predictor on
# the same stored weights. Part 2: a real series (DAX daily closes, 1991-1998) trained with log-returns, and its
# holdout backtest against the naive forecasts. Everything it writes goes under target/bench-forecast/.
#
#   scripts/bench-forecast.sh [SECONDS_PER_POINT] [EPOCHS]     # defaults 20 and 30; the short check used 5 and 3
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_POINT=${1:-20}
EPOCHS=${2:-30}
OUT=target/bench-forecast
PORT=${BENCH_PORT:-18081}
URL="http://127.0.0.1:$PORT"
SERIES=${SERIES:-/work/shared/data/series/datasets_EuStockMarkets.csv}
mkdir -p "$OUT/bodies"

./mvnw -o -q -DskipTests package
./mvnw -o -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null
CP="target/classes:target/test-classes:$(cat "$OUT/classpath.txt")"
JAR=$(ls target/deepserve-*.jar | grep -v original | head -1)

rm -rf "$OUT/data"
java ${SERVER_JAVA_OPTS:-} -jar "$JAR" --server.port="$PORT" --deepserve.data-dir="$PWD/$OUT/data" > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
until curl -sf "$URL/actuator/health/readiness" >/dev/null; do
  kill -0 $SERVER 2>/dev/null || { tail -20 "$OUT/server.log"; exit 1; }
  sleep 1
done

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
train() { # body → prints the finished job
  local id status
  id=$(curl -sf -H 'Content-Type: application/json' -d "$1" "$URL/api/v1/training-jobs" | json 'd["id"]')
  while status=$(curl -sf "$URL/api/v1/training-jobs/$id" | json 'd["status"]'); \
      [[ $status == QUEUED || $status == RUNNING ]]; do sleep 2; done
  curl -sf "$URL/api/v1/training-jobs/$id"
}
report() { # model → one line per method: holdout MAE, RMSE, MASE, and beatsNaive
  curl -sf "$URL/api/v1/models/$1/versions/1" | json '"\n".join(
    ["split %s" % d["metrics"]["split"], "beatsNaive=%s beatsSeasonalNaive=%s bestEpoch=%s" % (
      d["metrics"]["beatsNaive"], d["metrics"]["beatsSeasonalNaive"], d["metrics"]["bestEpoch"])]
    + ["%-13s MAE=%.4f RMSE=%.4f MAPE=%.3f%% MASE=%.3f" % (m, s["mae"], s["rmse"], s["mape"], s["mase"])
       for m, s in ((m, d["metrics"]["backtest"][m]) for m in ("model", "naive", "seasonalNaive"))])'
}

echo "## $(date -u +%FT%TZ) on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
SINE=$(curl -sf -X POST "$URL/api/v1/datasets/samples/sine?name=bench-sine" | json 'd["id"]')
train "{\"model\":\"bench-lstm\",\"task\":\"forecasting\",\"architecture\":\"lstm\",\"dataset\":\"$SINE\",
  \"target\":\"value\",\"hyperparameters\":{\"window\":60,\"horizon\":5,\"hiddenSize\":64,\"layers\":2,
  \"epochs\":$EPOCHS,\"batchSize\":32,\"learningRate\":0.003,\"earlyStoppingPatience\":5}}" | json 'd["status"]'
report bench-lstm
# eight different requests of 60 values each, cycled by the load generator
python3 - "$OUT/bodies" <<'PY'
import json, math, random, sys
for b in range(8):
    r = random.Random(b)
    series = [round(100 + 10 * math.sin(2 * math.pi * (t + 37 * b) / 7) + r.gauss(0, 1.5), 4) for t in range(60)]
    json.dump({"series": series, "horizon": 5}, open(f"{sys.argv[1]}/{b:02d}.json", "w"))
PY
curl -s -H 'Content-Type: application/json' -d @"$OUT/bodies/00.json" "$URL/api/v1/models/bench-lstm/forecast"; echo
for c in 1 16; do
  printf 'http /forecast '
  java -Dbench.contentType=application/json -cp target/test-classes io.deepserve.bench.LoadGenerator \
    "$URL/api/v1/models/bench-lstm/forecast" "$OUT/bodies" "$c" "$SECONDS_PER_POINT" 3
done
curl -sf -o "$OUT/bench-lstm.zip" "$URL/api/v1/models/bench-lstm/versions/1/artifact"

# part 2: a real series
DATASET=$(curl -sf -F file=@"$SERIES" -F name=bench-real -F kind=series "$URL/api/v1/datasets" | json 'd["id"]')
TARGET=${TARGET:-DAX}
train "{\"model\":\"bench-real\",\"task\":\"forecasting\",\"architecture\":\"lstm\",\"dataset\":\"$DATASET\",
  \"target\":\"$TARGET\",\"hyperparameters\":{\"window\":30,\"horizon\":5,\"hiddenSize\":32,\"layers\":1,
  \"epochs\":$EPOCHS,\"targetTransform\":\"log-returns\",\"season\":5,\"earlyStoppingPatience\":5}}" | json 'd["status"]'
echo "real series $(basename "$SERIES") $TARGET, lstm on log-returns, window 30, horizon 5:"
report bench-real
kill $SERVER; wait $SERVER 2>/dev/null || true; trap - EXIT

# in-process, the same weights, at the same concurrencies, while nothing else runs
java -Dai.djl.offline=true -cp "$CP" io.deepserve.bench.ForecastPredictorBench "$OUT/bench-lstm.zip" lstm 60 64 2 5 \
  "$SECONDS_PER_POINT" 1 16 2>/dev/null | grep djl-predictor
