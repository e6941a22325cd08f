#!/bin/bash
# Two builds of the service alternating, one server at a time (BENCHMARKS.md, "Cores shared out as workers come and
# go"): the fashion ResNet-18 as fashion:3 with serving {workers 2, maxBatchSize 1}, so that the tuning search only
# chooses the threads; per server, p50 and images/s at concurrency 1 (15 s), at 32 (15 s), and at 1 again (10 s),
# with the search's choice. Needs target/bench-precision from scripts/bench-int8.sh (its data-int8 registry).
#   OLD_JAR=old.jar NEW_JAR=new.jar ROUNDS=2 scripts/bench-shared-cores.sh
set -uo pipefail
cd "$(dirname "$0")/.."
declare -A JARS=([old]="$OLD_JAR" [new]="$NEW_JAR")
OUT=target/bench-precision; PORT=18092
export WRK_IMAGES="$(echo $OUT/images/*.jpg)"
URL="http://127.0.0.1:$PORT/api/v1/models/fashion:3/classify?topK=3"
load() { wrk -t1 -c"$1" -d"$2s" --timeout 20s --latency -s scripts/wrk-classify.lua "$URL" > "$OUT/wrk-shared.txt"; echo "$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-shared.txt") $(awk '$1 == "50%" {print $2}' "$OUT/wrk-shared.txt") $(grep -E 'Non-2xx' "$OUT/wrk-shared.txt" || true)"; }
for round in $(seq "${ROUNDS:-2}"); do
  for jar in old new; do
    ONEDNN_MAX_CPU_ISA=AVX2 java -jar "${JARS[$jar]}" --server.port=$PORT --deepserve.data-dir=$PWD/$OUT/data-int8 > "$OUT/server-$jar.log" 2>&1 &
    PID=$!
    until curl -sf localhost:$PORT/actuator/health/liveness >/dev/null; do sleep 1; done
    if ! curl -sf localhost:$PORT/api/v1/models/fashion/versions/3 > /dev/null; then
      LABELS=$(python3 -c 'import json; print(json.dumps(json.load(open("target/bench-precision/labels.json"))))')
      curl -s -F artifact=@$OUT/fashion-resnet18.pt -F "metadata={\"task\":\"image-classification\",\"architecture\":\"torchscript\",\"labels\":$LABELS,\"preprocessing\":{\"imageSize\":224,\"resize\":224,\"mean\":[0.5,0.5,0.5],\"std\":[0.25,0.25,0.25]},\"serving\":{\"workers\":2,\"maxBatchSize\":1,\"queueSize\":256}};type=application/json" localhost:$PORT/api/v1/models/fashion/versions | head -c 80; echo
    fi
    curl -s --max-time 300 -H 'Content-Type: image/jpeg' --data-binary @$OUT/images/0000-tshirt.jpg "$URL" > /dev/null
    chosen=$(grep -o "fastest of [0-9]* measured candidates: [^;]* in" "$OUT/server-$jar.log" | head -1)
    load 1 3 > /dev/null; c1=$(load 1 15); load 32 3 > /dev/null; c32=$(load 32 15); c1b=$(load 1 10)
    echo "round $round $jar: c1 [rate p50] $c1 | c32 [rate p50] $c32 | c1 again $c1b | $chosen | load $(cut -d' ' -f1-3 /proc/loadavg)"
    kill $PID; wait $PID 2>/dev/null
  done
done
