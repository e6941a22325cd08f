#!/usr/bin/env bash
# Serving benchmark (issue 5): ResNet-18 at 224x224 through POST /classify with JPEG bodies at concurrency 1, 8
# and 32, with batching on and off, beside an in-process DJL predictor and Debian's python3-torch on the same
# TorchScript file. Everything it writes goes under target/bench/.
#
#   scripts/bench-serving.sh [SECONDS_PER_POINT]     # default 20; the short check run used 5
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_POINT=${1:-20}
# WORKERS and BATCH set the two versions' serving config; SERVER_JAVA_OPTS go to the server JVM
OUT=target/bench
PORT=${BENCH_PORT:-18080}
PY=/usr/bin/python3   # Debian's python3-torch and python3-torchvision
mkdir -p "$OUT"

[ -f "$OUT/resnet18.pt" ] || $PY scripts/make_bench_model.py "$OUT"
./mvnw -o -q -DskipTests package
./mvnw -o -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null
CP="target/classes:target/test-classes:$(cat "$OUT/classpath.txt")"
JAR=$(ls target/deepserve-*.jar | grep -v original | head -1)

rm -rf "$OUT/data"
java ${SERVER_JAVA_OPTS:-} -jar "$JAR" --server.port="$PORT" --deepserve.data-dir="$PWD/$OUT/data" > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
until curl -sf "localhost:$PORT/actuator/health/readiness" >/dev/null; do
  kill -0 $SERVER 2>/dev/null || { tail -20 "$OUT/server.log"; exit 1; }
  sleep 1
done

import() { # name, serving JSON
  curl -sf -o /dev/null -F artifact=@"$OUT/resnet18.pt" -F "metadata={\"task\":\"image-classification\",
    \"architecture\":\"torchscript\",\"labels\":[$(seq -s, -f '"c%g"' 0 999)],
    \"preprocessing\":{\"imageSize\":224,\"resize\":256},\"serving\":$2};type=application/json" \
    "localhost:$PORT/api/v1/models/$1/versions"
}
# on CPU the predictor's best batch is small (see PredictorBench below); BATCH overrides. Two workers is the
# service's default; the one-worker version shows what the second one adds.
import bench-batched "{\"workers\":${WORKERS:-2},\"maxBatchSize\":${BATCH:-8},\"maxBatchDelayMs\":5,\"queueSize\":256}"
import bench-unbatched "{\"workers\":${WORKERS:-2},\"maxBatchSize\":1,\"queueSize\":256}"
import bench-batched-1worker "{\"workers\":1,\"maxBatchSize\":${BATCH:-8},\"maxBatchDelayMs\":5,\"queueSize\":256}"

echo "## $(date -u +%FT%TZ) on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for model in bench-batched bench-unbatched bench-batched-1worker; do
  for c in 1 8 32; do
    printf '%s ' "$model"
    # CPU seconds of the server and of the load generator over the point (warm-up included), in cores
    before=$(awk '{print $14 + $15}' /proc/$SERVER/stat)
    TIMEFORMAT="%U %S %R"
    { time java -cp target/test-classes io.deepserve.bench.LoadGenerator \
      "http://127.0.0.1:$PORT/api/v1/models/$model/classify?topK=5" "$OUT/images" "$c" "$SECONDS_PER_POINT" 3 \
      2>&1; } 2>"$OUT/time.txt"
    after=$(awk '{print $14 + $15}' /proc/$SERVER/stat)
    read -r user sys real < "$OUT/time.txt"
    awk -v s=$((after - before)) -v hz="$(getconf CLK_TCK)" -v u="$user" -v y="$sys" -v r="$real" \
      'BEGIN { printf "  cores used: server %.2f, load generator %.2f\n", s / hz / r, (u + y) / r }'
    # resident memory that stays flat from point to point is the NDArray-leak check
    echo "  server RSS $(ps -o rss= -p $SERVER | xargs) kB"
  done
done
# the same concurrency-32 point with wrk (C, a few hundredths of a core) instead of the JVM load generator, where
# Debian's wrk is installed: shows whether the load generator's CPU is what holds the service back
if command -v wrk >/dev/null; then
  export WRK_IMAGES="$(echo "$OUT"/images/*.jpg)"
  url="http://127.0.0.1:$PORT/api/v1/models/bench-batched/classify?topK=5"
  wrk -t1 -c32 -d3s -s scripts/wrk-classify.lua "$url" >/dev/null
  before=$(awk '{print $14 + $15}' /proc/$SERVER/stat)
  TIMEFORMAT="%U %S %R"
  { time wrk -t1 -c32 -d"${SECONDS_PER_POINT}s" --latency -s scripts/wrk-classify.lua "$url" >"$OUT/wrk.txt"; } \
    2>"$OUT/time.txt"
  after=$(awk '{print $14 + $15}' /proc/$SERVER/stat)
  read -r user sys real < "$OUT/time.txt"
  echo "bench-batched with wrk, concurrency=32: $(grep -E 'Requests/sec' "$OUT/wrk.txt" | xargs)" \
    "p50=$(awk '$1 == "50%" {print $2}' "$OUT/wrk.txt") p99=$(awk '$1 == "99%" {print $2}' "$OUT/wrk.txt")" \
    "$(grep -E 'Non-2xx|Socket errors' "$OUT/wrk.txt" | xargs)"
  awk -v s=$((after - before)) -v hz="$(getconf CLK_TCK)" -v u="$user" -v y="$sys" -v r="$real" \
    'BEGIN { printf "  cores used: server %.2f, wrk %.2f\n", s / hz / r, (u + y) / r }'
fi
curl -s -H 'Content-Type: image/jpeg' --data-binary @"$OUT/images/00.jpg" \
  "localhost:$PORT/api/v1/models/bench-batched/classify?topK=1"; echo
curl -s "localhost:$PORT/actuator/prometheus" | grep -E '^deepserve_inference_(batch_size|latency_seconds)_(count|sum)' || true
kill $SERVER; wait $SERVER 2>/dev/null || true; trap - EXIT

for predictors in 1 2; do
  java -Dai.djl.offline=true -DDJL_CACHE_DIR=target/djl-cache -DENGINE_CACHE_DIR=target/djl-cache \
    -Dpredictors=$predictors -cp "$CP" \
    io.deepserve.bench.PredictorBench "$OUT/resnet18.pt" "$SECONDS_PER_POINT" 1 8 16 32 2>/dev/null | grep djl-predictor
done
$PY scripts/bench_torch.py "$OUT/resnet18.pt" "$SECONDS_PER_POINT" 1 8 16 32
