#!/usr/bin/env bash
# Precision benchmark (issue 22): a ResNet-18 trained on Debian's real Fashion-MNIST (scripts/make_fashion_resnet.py),
# 224 px JPEG bodies through POST /classify, served at fp32 and at serving.precision bf16, beside Debian's
# python3-torch 1.13 in float32 on the same TorchScript file. Everything it writes goes under target/bench-precision/.
#
#   scripts/bench-precision.sh [SECONDS_PER_POINT]     # default 20
#   env: ROUNDS (3) alternating rounds, WARMUP_SECONDS (30) per version before its points, MIN_AGREEMENT for the bf16
#        version's serving.minAgreement (the service's default, 0.99, when unset; it is refused below it)
#
# Two servers, because oneDNN's instruction-set cap is per process:
#   fp32    the service as it ships: oneDNN capped at AVX2 (EngineService), the fp32 version tuned at load
#   native  ONEDNN_MAX_CPU_ISA=DEFAULT, where oneDNN's avx512_bf16 kernels run: the bf16 version (measured against
#           fp32 on 500 other held-out images when it loads) and, for what the cap costs, the fp32 version again
# Agreement is measured over HTTP against the capped fp32 server on the 500 held-out JPEGs: the same top-1 class, and
# the largest difference of any class probability. Then ROUNDS rounds, each of: every server version at concurrency
# 32, then (b) at its best batch; then every server version's p50 at concurrency 1. Load: Debian's wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_POINT=${1:-20}
OUT=target/bench-precision
PY=/usr/bin/python3
FP32_PORT=${FP32_PORT:-18091}
NATIVE_PORT=${NATIVE_PORT:-18092}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "needs Debian's wrk (apt-get install wrk)"; exit 1; }

[ -f "$OUT/fashion-resnet18.pt" ] || $PY scripts/make_fashion_resnet.py "$OUT"
./mvnw -o -q -DskipTests package
JAR=$(ls target/deepserve-*.jar | grep -v original | head -1)

PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
start() { # port, name, env assignments and java arguments...
  local port=$1 name=$2
  shift 2
  rm -rf "$OUT/data-$name"
  env "$@" --server.port="$port" --deepserve.data-dir="$PWD/$OUT/data-$name" >"$OUT/server-$name.log" 2>&1 &
  PIDS+=($!)
  # the engine's readiness check is DOWN where the uncapped engine computes wrong float32 convolutions (this
  # CPU): wait for the application's liveness instead, and report readiness
  until curl -sf "localhost:$port/actuator/health/liveness" >/dev/null; do
    kill -0 "${PIDS[-1]}" 2>/dev/null || { tail -20 "$OUT/server-$name.log"; exit 1; }
    sleep 1
  done
  echo "server $name on $port: readiness $(curl -s "localhost:$port/actuator/health/readiness" | head -c 300)"
}
start "$FP32_PORT" fp32 java -jar "$JAR"
start "$NATIVE_PORT" native ONEDNN_MAX_CPU_ISA=DEFAULT java -jar "$JAR" --deepserve.inference.agreement-images=500

LABELS=$($PY -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$OUT/labels.json")
import() { # port, name, serving JSON
  curl -sf -o /dev/null -F artifact=@"$OUT/fashion-resnet18.pt" -F "metadata={\"task\":\"image-classification\",
    \"architecture\":\"torchscript\",\"labels\":$LABELS,\"preprocessing\":{\"imageSize\":224,\"resize\":224,
    \"mean\":[0.5,0.5,0.5],\"std\":[0.25,0.25,0.25]},\"serving\":$3};type=application/json" \
    "localhost:$1/api/v1/models/$2/versions"
}
curl -sf -o /dev/null -F name=fashion-agreement -F kind=images -F file=@"$OUT/agreement.zip" \
  "localhost:$NATIVE_PORT/api/v1/datasets"
import "$FP32_PORT" fashion '{"queueSize":256}'
import "$NATIVE_PORT" fashion-bf16 "{\"queueSize\":256,\"precision\":\"bf16\",\"agreementDataset\":\"fashion-agreement\"${MIN_AGREEMENT:+,\"minAgreement\":$MIN_AGREEMENT}}"
import "$NATIVE_PORT" fashion-fp32-native '{"queueSize":256}'
VERSIONS="$FP32_PORT/fashion $NATIVE_PORT/fashion-bf16 $NATIVE_PORT/fashion-fp32-native"

echo "## $(date -u +%FT%TZ) on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(uptime | sed 's/.*load/load/')"
export WRK_IMAGES="$(echo "$OUT"/images/*.jpg)"
url() { echo "http://127.0.0.1:${1%%/*}/api/v1/models/${1#*/}/classify?topK=${2:-3}"; }
load() { # url, concurrency, seconds: "throughput p50"
  wrk -t1 -c"$2" -d"$3s" --timeout 20s --latency -s scripts/wrk-classify.lua "$1" >"$OUT/wrk.txt"
  if grep -qE 'Non-2xx|Socket errors' "$OUT/wrk.txt"; then grep -E 'Non-2xx|Socket errors' "$OUT/wrk.txt" >&2; fi
  echo "$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk.txt") $(awk '$1 == "50%" {print $2}' "$OUT/wrk.txt")"
}
for v in $VERSIONS; do
  # the first request loads the version: tuning, and for bf16 the agreement check, run before any load
  status=$(curl -s -o "$OUT/first.json" -w '%{http_code}' --max-time 900 -H 'Content-Type: image/jpeg' \
    --data-binary @"$OUT/images/0000-tshirt.jpg" "$(url "$v")")
  grep -hE "${v#*/}:1 (in bf16 agrees|loaded and warm)" "$OUT"/server-*.log | sed 's/.*INFO[^:]*: /  /' | cut -c1-400
  [ "$status" = 200 ] || { echo "${v#*/} answers $status: $(cat "$OUT/first.json")"; exit 1; }
  load "$(url "$v")" 32 "${WARMUP_SECONDS:-30}" >/dev/null
done
curl -s "localhost:$NATIVE_PORT/v2/models/fashion-bf16/versions/1" | $PY -c 'import json, sys; p = json.load(sys.stdin)["parameters"]; print("  OIP metadata: precision", p["precision"], "agreement", p.get("agreement"))'

echo "### agreement over HTTP with the capped fp32 server, and accuracy, on the $(ls "$OUT"/images | wc -l) held-out JPEGs"
$PY scripts/bench_precision_agreement.py "$OUT/images" "$(url "$FP32_PORT/fashion" 10)" \
  "$(url "$NATIVE_PORT/fashion-bf16" 10)" "$(url "$NATIVE_PORT/fashion-fp32-native" 10)"

echo "### (b) python-torch fp32 in process, each batch size and order (5 s each)"
for layout in plain channels-last; do
  LAYOUT=$layout $PY scripts/bench_torch.py "$OUT/fashion-resnet18.pt" 5 1 4 8 16
done | tee "$OUT/b.txt"
read -r BEST_B LAYOUT_B < <(sed -E 's/.*layout=([a-z-]+) batch=([0-9]+) throughput=([0-9.]+).*/\3 \2 \1/' "$OUT/b.txt" | sort -nr | head -1 | cut -d' ' -f2-)

echo "### rounds: images/s at concurrency 32, then p50 at concurrency 1; (b) at batch $BEST_B $LAYOUT_B"
point() { # version, concurrency: "throughput p50" after a few seconds' settling at that concurrency
  load "$(url "$1")" "$2" 3 >/dev/null
  load "$(url "$1")" "$2" "$SECONDS_PER_POINT"
}
for round in $(seq "${ROUNDS:-3}"); do
  line="round $round:"
  for v in $VERSIONS; do
    read -r rate _ < <(point "$v" 32)
    line="$line ${v#*/} $rate/s,"
  done
  b=$(LAYOUT=$LAYOUT_B $PY scripts/bench_torch.py "$OUT/fashion-resnet18.pt" "$SECONDS_PER_POINT" "$BEST_B" \
    | sed -E 's/.*throughput=([0-9.]+).*/\1/')
  line="$line (b) $b/s; p50 at 1:"
  for v in $VERSIONS; do
    read -r _ p50 < <(point "$v" 1)
    line="$line ${v#*/} $p50,"
  done
  echo "$line"
done
echo "server RSS: fp32 $(ps -o rss= -p "${PIDS[0]}" | xargs) kB, native (bf16 and fp32 versions) $(ps -o rss= -p "${PIDS[1]}" | xargs) kB"
