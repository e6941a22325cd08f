#!/bin/bash
# int8 against fp32 over HTTP (issue 22): the fashion ResNet-18 of scripts/bench-precision.sh and its int8 copy
# (scripts/make_int8_resnet.py: PyTorch 1.13 static quantization, calibrated on 100 images of agreement.zip), both
# imported as TorchScript into one service as it ships (AVX2 cap); top-1 agreement on the 500 held-out JPEGs, then
# ROUNDS alternating rounds of images/s at concurrency 32 beside (b), PyTorch 1.13 fp32 at its best (batch 1,
# channels-last), and p50 at concurrency 1.
#   scripts/bench-int8.sh      (after scripts/bench-precision.sh, or scripts/make_fashion_resnet.py target/bench-precision)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=target/bench-precision; PORT=${BENCH_PORT:-18090}; PY=/usr/bin/python3
[ -f "$OUT/fashion-resnet18.pt" ] || $PY scripts/make_fashion_resnet.py "$OUT"
[ -f "$OUT/fashion-int8.pt" ] || $PY scripts/make_int8_resnet.py "$OUT" "$OUT/fashion-int8.pt" 100
[ -f target/deepserve-*.jar ] || ./mvnw -o -q -DskipTests package
JAR=$(ls target/deepserve-*.jar | head -1)
rm -rf "$OUT/data-int8"
java -jar "$JAR" --server.port=$PORT --deepserve.data-dir="$PWD/$OUT/data-int8" > "$OUT/server-int8.log" 2>&1 &
PID=$!; trap 'kill $PID' EXIT
until curl -sf "localhost:$PORT/actuator/health/liveness" >/dev/null; do sleep 1; done
LABELS=$($PY -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$OUT/labels.json")
import() { # name, artifact
  curl -s -F artifact=@"$2" -F "metadata={\"task\":\"image-classification\",
    \"architecture\":\"torchscript\",\"labels\":$LABELS,\"preprocessing\":{\"imageSize\":224,\"resize\":224,
    \"mean\":[0.5,0.5,0.5],\"std\":[0.25,0.25,0.25]},\"serving\":{\"queueSize\":256}};type=application/json" \
    "localhost:$PORT/api/v1/models/$1/versions" | head -c 300; echo
}
import fashion "$OUT/fashion-resnet18.pt"
import fashion-int8 "$OUT/fashion-int8.pt"
url() { echo "http://127.0.0.1:$PORT/api/v1/models/$1/classify?topK=${2:-3}"; }
export WRK_IMAGES="$(echo "$OUT"/images/*.jpg)"
load() { wrk -t1 -c"$2" -d"$3s" --timeout 20s --latency -s scripts/wrk-classify.lua "$1" > "$OUT/wrk-int8.txt"
  echo "$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-int8.txt") $(awk '$1 == "50%" {print $2}' "$OUT/wrk-int8.txt") $(grep -E 'Non-2xx' "$OUT/wrk-int8.txt" || true)"; }
for v in fashion fashion-int8; do
  curl -s --max-time 900 -H 'Content-Type: image/jpeg' --data-binary @"$OUT/images/0000-tshirt.jpg" "$(url $v)"; echo
  grep -h "$v:1 loaded and warm" "$OUT/server-int8.log" | sed 's/.*INFO[^:]*: /  /' | cut -c1-300
  load "$(url $v)" 32 20 > /dev/null
done
echo "### agreement over HTTP, 500 held-out JPEGs"
$PY scripts/bench_precision_agreement.py "$OUT/images" "$(url fashion 10)" "$(url fashion-int8 10)"
for round in $(seq "${ROUNDS:-3}"); do
  line="round $round:"
  for v in fashion fashion-int8; do load "$(url $v)" 32 3 > /dev/null; read -r rate _ < <(load "$(url $v)" 32 10); line="$line $v $rate/s,"; done
  b=$(LAYOUT=channels-last $PY scripts/bench_torch.py "$OUT/fashion-resnet18.pt" 10 1 | sed -E 's/.*throughput=([0-9.]+).*/\1/')
  line="$line (b) fp32 batch 1 channels-last $b/s; p50 at 1:"
  for v in fashion fashion-int8; do load "$(url $v)" 1 3 > /dev/null; read -r _ p50 _ < <(load "$(url $v)" 1 10); line="$line $v $p50,"; done
  echo "$line load $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "server RSS $(ps -o rss= -p $PID) kB"
