#!/bin/bash
# int8 against fp32 over HTTP (issue 22), the way a user gets there: the fashion ResNet-18 of
# scripts/make_fashion_resnet.py is imported as TorchScript at fp32 (fashion:1) into one service as it ships (AVX2
# cap); scripts/quantize_int8.py reads it back over HTTP, quantizes it (PyTorch 1.13 graph-mode static quantization,
# calibrated on train/ images of a split dataset zip) and imports it as fashion:2 at serving.precision int8, which the
# service measures against fashion:1 on the zip's val/ images (500) before serving it. Then: top-1 agreement on the 500
# held-out JPEGs over HTTP, and ROUNDS alternating rounds of images/s at concurrency 32 beside (b), PyTorch 1.13 fp32
# at its best (batch 1, channels-last), and p50 at concurrency 1.
#   scripts/bench-int8.sh      (CAL=200 calibration images; ISA=DEFAULT serves without the service's AVX2 cap)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=target/bench-precision; PORT=${BENCH_PORT:-18090}; PY=/usr/bin/python3
[ -f "$OUT/labels.json" ] || $PY scripts/make_fashion_resnet.py "$OUT"
# the dataset a user would hold: train/ = 20 Fashion-MNIST training images a class that the network was not trained
# on (its first 600 a class), upscaled as the rest; val/ = the 500 t10k images of agreement.zip
[ -f "$OUT/fashion-split.zip" ] || $PY - "$OUT" <<'PYEOF'
import io, sys, zipfile
sys.path.insert(0, "scripts")
import make_fashion_resnet as m
out = sys.argv[1]
x = m.read_idx(f"{m.SOURCE}/train-images-idx3-ubyte.gz"); y = m.read_idx(f"{m.SOURCE}/train-labels-idx1-ubyte.gz")
with zipfile.ZipFile(f"{out}/fashion-split.zip", "w") as zf, zipfile.ZipFile(f"{out}/agreement.zip") as val:
    for n, i in enumerate(m.first_per_class(y, 20, skip=600)):
        buf = io.BytesIO(); m.upscale(x[i]).save(buf, "PNG")
        zf.writestr(f"train/{m.CLASSES[y[i]]}/{n:04d}.png", buf.getvalue())
    for name in val.namelist():
        zf.writestr("val/" + name, val.read(name))
PYEOF
[ -f target/deepserve-*.jar ] || ./mvnw -o -q -DskipTests package
JAR=$(ls target/deepserve-*.jar | head -1)
rm -rf "$OUT/data-int8"
ONEDNN_MAX_CPU_ISA=${ISA:-AVX2} java -jar "$JAR" --server.port=$PORT --deepserve.data-dir="$PWD/$OUT/data-int8" \
  --deepserve.inference.agreement-images=500 > "$OUT/server-int8.log" 2>&1 &
PID=$!; trap 'kill $PID' EXIT
until curl -sf "localhost:$PORT/actuator/health/liveness" >/dev/null; do sleep 1; done
LABELS=$($PY -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$OUT/labels.json")
curl -s -F artifact=@"$OUT/fashion-resnet18.pt" -F "metadata={\"task\":\"image-classification\",
  \"architecture\":\"torchscript\",\"labels\":$LABELS,\"preprocessing\":{\"imageSize\":224,\"resize\":224,
  \"mean\":[0.5,0.5,0.5],\"std\":[0.25,0.25,0.25]},\"serving\":{\"queueSize\":256}};type=application/json" \
  "localhost:$PORT/api/v1/models/fashion/versions" | head -c 200; echo
curl -s -F file=@"$OUT/fashion-split.zip" -F name=fashion-split -F kind=images "localhost:$PORT/api/v1/datasets" \
  | head -c 200; echo
$PY scripts/quantize_int8.py --server "http://localhost:$PORT" --model fashion:1 --images "$OUT/fashion-split.zip" \
  --calibration "${CAL:-200}" --held-out 500 --out "$OUT/fashion-int8.pt" --import fashion \
  --agreement-dataset fashion-split --min-agreement 0.98
url() { echo "http://127.0.0.1:$PORT/api/v1/models/$1/classify?topK=${2:-3}"; }
export WRK_IMAGES="$(echo "$OUT"/images/*.jpg)"
load() { wrk -t1 -c"$2" -d"$3s" --timeout 20s --latency -s scripts/wrk-classify.lua "$1" > "$OUT/wrk-int8.txt"
  echo "$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-int8.txt") $(awk '$1 == "50%" {print $2}' "$OUT/wrk-int8.txt") $(grep -E 'Non-2xx' "$OUT/wrk-int8.txt" || true)"; }
for v in fashion:1 fashion:2; do
  curl -s --max-time 900 -H 'Content-Type: image/jpeg' --data-binary @"$OUT/images/0000-tshirt.jpg" "$(url $v)"; echo
  grep -h "$v in int8 agrees\\|$v loaded and warm" "$OUT/server-int8.log" | sed 's/.*INFO[^:]*: /  /' | cut -c1-400
  load "$(url $v)" 32 20 > /dev/null
done
echo "### agreement over HTTP, 500 held-out JPEGs"
$PY scripts/bench_precision_agreement.py "$OUT/images" "$(url fashion:1 10)" "$(url fashion:2 10)"
for round in $(seq "${ROUNDS:-3}"); do
  line="round $round:"
  for v in fashion:1 fashion:2; do load "$(url $v)" 32 3 > /dev/null; read -r rate _ < <(load "$(url $v)" 32 10); line="$line $v $rate/s,"; done
  b=$(LAYOUT=channels-last $PY scripts/bench_torch.py "$OUT/fashion-resnet18.pt" 10 1 | sed -E 's/.*throughput=([0-9.]+).*/\1/')
  line="$line (b) fp32 batch 1 channels-last $b/s; p50 at 1:"
  for v in fashion:1 fashion:2; do load "$(url $v)" 1 3 > /dev/null; read -r _ p50 _ < <(load "$(url $v)" 1 10); line="$line $v $p50,"; done
  echo "$line load $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "server RSS $(ps -o rss= -p $PID) kB"
