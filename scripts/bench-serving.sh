#!/usr/bin/env bash
# Serving benchmark (issue 5): ResNet-18 at 224x224 through POST /classify with JPEG bodies at concurrency 1, 8
# and 32, with batching on and off, beside an in-process DJL predictor and Debian's python3-torch on the same
# TorchScript file. Everything it writes goes under target/bench/.
#
#   scripts/bench-serving.sh [SECONDS_PER_POINT]     # default 20; the short check run used 5
#   env: WARMUP_SECONDS (60) per version before its points, ROUNDS (3) of the goal check, A_ISA (AVX2: (a) under the
#        service's own oneDNN cap; DEFAULT uncapped), JVM_LOAD=1 for the JVM
#        load generator even with wrk, MODELS (versions given HTTP points), GOAL_MODEL (bench-tuned: the version
#        whose settings were tuned at load, issue 22; bench-batched for the fixed defaults)
#
# Order: (1) the peers' batch sweep, each in plain NCHW and in channels-last memory order; (2) the HTTP points;
# (3) the goal check: ROUNDS alternating rounds of the service at concurrency 32, (a) at its best batch and layout,
# (b) at its best batch and (b') channels-last at its best, each right after the other, because this machine's speed
# drifts by up to a third between runs and a little within one.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
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

# LAYOUT=channels-last: tensors NHWC in memory, as the service hands a TorchScript classifier batches of 4 or more
# (a) runs under the oneDNN cap the service sets itself (EngineService: AVX2, because libtorch 2.5.1's AVX-512 float32
# convolutions are wrong on some CPUs), so that it is the same engine configuration as the service; A_ISA=DEFAULT for
# the uncapped kernels, faster where they are right
predictor() { # seconds, batch sizes...: (a), the in-process DJL predictor(s); -Dpredictors=2 for two threads
  ONEDNN_MAX_CPU_ISA="${A_ISA:-AVX2}" java -Dai.djl.offline=true -DDJL_CACHE_DIR=target/djl-cache -DENGINE_CACHE_DIR=target/djl-cache \
    -Dpredictors="${PREDICTORS:-1}" -Dlayout="${LAYOUT:-plain}" -cp "$CP" io.deepserve.bench.PredictorBench \
    "$OUT/resnet18.pt" "$@" 2>/dev/null | grep djl-predictor
}
torch() { # seconds, batch sizes...: (b), Debian's python3-torch
  LAYOUT="${LAYOUT:-plain}" $PY scripts/bench_torch.py "$OUT/resnet18.pt" "$@"
}
best() { # "batch layout" of the highest throughput among the lines on stdin
  sed -E 's/.*layout=([a-z-]+) batch=([0-9]+) throughput=([0-9.]+).*/\3 \2 \1/' | sort -nr | head -1 | cut -d' ' -f2-
}
number() { sed -E 's/.*throughput=([0-9.]+).*/\1/'; }

echo "## $(date -u +%FT%TZ) on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "### (a) and (b): every batch size"
# (a) is the better of its two layouts; (b) is torch as a Python user runs it, (b') the same in channels-last
# two predictors count for (a) too: on some machines two at batch 8 beat one at any batch (issue 22)
predictor "$SECONDS_PER_POINT" 1 4 8 16 32 | tee "$OUT/a.txt"
LAYOUT=channels-last predictor "$SECONDS_PER_POINT" 1 4 8 16 32 | tee -a "$OUT/a.txt"
PREDICTORS=2 predictor "$SECONDS_PER_POINT" 1 4 8 16 | tee -a "$OUT/a.txt"
PREDICTORS=2 LAYOUT=channels-last predictor "$SECONDS_PER_POINT" 4 8 16 | tee -a "$OUT/a.txt"
torch "$SECONDS_PER_POINT" 1 4 8 16 32 | tee "$OUT/b.txt"
LAYOUT=channels-last torch "$SECONDS_PER_POINT" 1 4 8 16 32 | tee "$OUT/b-cl.txt"
read -r BEST_A LAYOUT_A PREDICTORS_A < <(sed -E 's/.*predictors=([0-9]+) layout=([a-z-]+) batch=([0-9]+) throughput=([0-9.]+).*/\4 \3 \2 \1/' "$OUT/a.txt" | sort -nr | head -1 | cut -d' ' -f2-)
read -r BEST_B _ < <(best < "$OUT/b.txt")
read -r BEST_BCL _ < <(best < "$OUT/b-cl.txt")

rm -rf "$OUT/data"
: > "$OUT/server.log"
start_server "$OUT/server.log" java ${SERVER_JAVA_OPTS:-} -jar "$JAR" --server.port="$PORT" --deepserve.data-dir="$PWD/$OUT/data"

import() { # name, serving JSON
  curl -sf -o /dev/null -F artifact=@"$OUT/resnet18.pt" -F "metadata={\"task\":\"image-classification\",
    \"architecture\":\"torchscript\",\"labels\":[$(seq -s, -f '"c%g"' 0 999)],
    \"preprocessing\":{\"imageSize\":224,\"resize\":256},\"serving\":$2};type=application/json" \
    "localhost:$PORT/api/v1/models/$1/versions"
}
# on CPU the predictor's best batch is small (see PredictorBench below); BATCH overrides. Two workers is the
# service's default; the one-worker version shows what the second one adds.
# threads 0 (the engine's) is set on these three so that tuning at load leaves them as before but for the memory
# order at their batch size (there is no per-version setting for that); bench-tuned sets only its queue, so the
# search at load chooses its workers, threads, batch size and order (issue 22 item 0)
import bench-batched "{\"workers\":${WORKERS:-2},\"maxBatchSize\":${BATCH:-8},\"maxBatchDelayMs\":5,\"queueSize\":256,\"threads\":0}"
import bench-unbatched "{\"workers\":${WORKERS:-2},\"maxBatchSize\":1,\"queueSize\":256,\"threads\":0}"
import bench-batched-1worker "{\"workers\":1,\"maxBatchSize\":${BATCH:-8},\"maxBatchDelayMs\":5,\"queueSize\":256,\"threads\":0}"
import bench-tuned "{\"queueSize\":256}"

echo "### the service over HTTP"
# Load: Debian's wrk where installed (C, a few hundredths of a core; scripts/wrk-classify.lua), else the project's
# JVM load generator, which takes about a tenth of a core from the server on 2 cores
export WRK_IMAGES="$(echo "$OUT"/images/*.jpg)"
load() { # url, concurrency, seconds; prints "throughput=... p50=... p99=... failures=..." (wrk: "errors=")
  if command -v wrk >/dev/null && [ -z "${JVM_LOAD:-}" ]; then
    wrk -t1 -c"$2" -d"$3s" --timeout 10s --latency -s scripts/wrk-classify.lua "$1" >"$OUT/wrk.txt"
    echo "throughput=$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk.txt")/s" \
      "p50=$(awk '$1 == "50%" {print $2}' "$OUT/wrk.txt") p99=$(awk '$1 == "99%" {print $2}' "$OUT/wrk.txt")" \
      "errors=$(grep -E 'Non-2xx|Socket errors' "$OUT/wrk.txt" | xargs | tr ' ' _)"
  else
    java -cp target/test-classes io.deepserve.bench.LoadGenerator "$1" "$OUT/images" "$2" "$3" 0 2>&1 \
      | sed "s/^concurrency=[0-9]* //"
  fi
}
command -v wrk >/dev/null && [ -z "${JVM_LOAD:-}" ] && echo "load: wrk -t1 ($(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2))" \
  || echo "load: io.deepserve.bench.LoadGenerator"
# MODELS picks which versions get HTTP points (default all four)
for model in ${MODELS:-bench-tuned bench-batched bench-unbatched bench-batched-1worker}; do
  url="http://127.0.0.1:$PORT/api/v1/models/$model/classify?topK=5"
  # one request loads the version (and runs its tuning search) before any load, so the search runs on a quiet
  # server and no request times out waiting for it; then what it chose, from the models health details
  curl -s -o /dev/null -H 'Content-Type: image/jpeg' --data-binary @"$OUT/images/00.jpg" "$url"
  curl -s localhost:$PORT/actuator/health/readiness | $PY -c 'import json, sys; t = json.load(sys.stdin)["components"]["models"]["details"]["tuned"]["'"$model"':1"]; print("  tuning:", t["status"], "-", t["detail"], "in", t["tookMillis"], "ms"); [print("   ", r) for r in t["table"]]' || true
  # steady state first: the JIT compiles the request path only after thousands of requests, which at 40 a second
  # takes a minute; measured points start after WARMUP_SECONDS at concurrency 32 (default 60)
  load "$url" 32 "${WARMUP_SECONDS:-60}" >/dev/null
  for c in 1 8 32; do
    load "$url" "$c" 3 >/dev/null
    before=$(awk '{print $14 + $15}' /proc/$SERVER/stat)
    TIMEFORMAT="%U %S %R"
    { time load "$url" "$c" "$SECONDS_PER_POINT" >"$OUT/point.txt"; } 2>"$OUT/time.txt"
    after=$(awk '{print $14 + $15}' /proc/$SERVER/stat)
    read -r user sys real < "$OUT/time.txt"
    echo "$model concurrency=$c $(cat "$OUT/point.txt")"
    # CPU seconds of the server and of the load generator over the measured period, in cores
    awk -v s=$((after - before)) -v hz="$(getconf CLK_TCK)" -v u="$user" -v y="$sys" -v r="$real" \
      'BEGIN { printf "  cores used: server %.2f, load generator %.2f\n", s / hz / r, (u + y) / r }'
    # resident memory that stays flat from point to point is the NDArray-leak check
    echo "  server RSS $(ps -o rss= -p $SERVER | xargs) kB"
  done
done
curl -s -H 'Content-Type: image/jpeg' --data-binary @"$OUT/images/00.jpg" \
  "localhost:$PORT/api/v1/models/${GOAL_MODEL:-bench-tuned}/classify?topK=1"; echo
curl -s "localhost:$PORT/actuator/prometheus" | grep -E '^deepserve_inference_(batch_size|latency_seconds)_(count|sum)' || true

echo "### the goal: ${GOAL_MODEL:-bench-tuned} at concurrency 32 beside (a) at batch $BEST_A $LAYOUT_A with $PREDICTORS_A predictors, (b) at batch $BEST_B and" \
  "(b') channels-last at batch $BEST_BCL, alternating"
# GOAL_MODEL: the version measured in the rounds (default bench-tuned; bench-batched was the default before tuning)
url="http://127.0.0.1:$PORT/api/v1/models/${GOAL_MODEL:-bench-tuned}/classify?topK=5"
for round in $(seq "${ROUNDS:-3}"); do
  load "$url" 32 3 >/dev/null
  service=$(load "$url" 32 "$SECONDS_PER_POINT" | number | tr -d /s)
  a=$(LAYOUT=$LAYOUT_A PREDICTORS=$PREDICTORS_A predictor "$SECONDS_PER_POINT" "$BEST_A" | number)
  b=$(torch "$SECONDS_PER_POINT" "$BEST_B" | number)
  bcl=$(LAYOUT=channels-last torch "$SECONDS_PER_POINT" "$BEST_BCL" | number)
  # the version with the pre-tuning defaults (batch 8, up to 2 workers), in the same round
  if [ "${GOAL_MODEL:-bench-tuned}" != bench-batched ]; then
    untuned_url="http://127.0.0.1:$PORT/api/v1/models/bench-batched/classify?topK=5"
    load "$untuned_url" 32 3 >/dev/null
    echo "round $round: bench-batched (untuned defaults) $(load "$untuned_url" 32 "$SECONDS_PER_POINT" | number | tr -d /s) images/s"
  fi
  awk -v r="$round" -v s="$service" -v a="$a" -v b="$b" -v c="$bcl" 'BEGIN { printf "round %d: service %.1f, (a) %.1f, (b) %.1f, (b'"'"') %.1f images/s: %.0f%% of (a), %s (b), %s (b'"'"')\n", r, s, a, b, c, 100 * s / a, (s + 0 > b + 0 ? "beats" : "does not beat"), (s + 0 > c + 0 ? "beats" : "does not beat") }'
done
stop_server
