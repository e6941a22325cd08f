#!/usr/bin/env bash
# Forecaster transfer learning on real prices (issue 21 item 3, issue 20 item 6), all through the HTTP API:
#  1. a global LSTM pretrained on the 30 Dow stocks of ../shared/data/series/fBasics_DowJones30.csv at once
#     ("targets": "*", log-returns, each stock scaled on its own training rows);
#  2. for a few stocks, the same LSTM trained on that stock alone, then the global model frozen (feature-extraction:
#     only the head trains) and fine-tuned (recurrent layers at baseLearningRateFactor) onto that stock;
#  3. every version's holdout MASE against the naive forecast, on the same holdout rows (same split fractions).
# Everything it writes goes under target/bench-forecast-transfer/.
#
#  4. for the first LOO_STOCKS of them, the same again from a global model pretrained without that stock, whose
#     /forecast on the stock (scaled on each window) is also scored: transfer to a series the base never saw.
#
#   scripts/bench-forecast-transfer.sh [GLOBAL_EPOCHS] [SINGLE_EPOCHS] [STOCKS] [LOO_STOCKS]
#   defaults 6, 20, "MSFT IBM KO JPM", 2
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
GLOBAL_EPOCHS=${1:-6}
SINGLE_EPOCHS=${2:-20}
STOCKS=${3:-MSFT IBM KO JPM}
LOO_STOCKS=${4:-2}
OUT=target/bench-forecast-transfer
PORT=${BENCH_PORT:-18093}
SERIES=${SERIES_CSV:-/work/shared/data/series/fBasics_DowJones30.csv}
# small enough for a busy 2-core machine: window 20, one layer of 32, one step ahead
HP='"window":20,"hiddenSize":32,"layers":1,"horizon":1,"targetTransform":"log-returns","learningRate":0.003,"batchSize":128,"season":5,"earlyStoppingPatience":3'
mkdir -p "$OUT"

if [ -z "${SKIP_BUILD:-}" ]; then ./mvnw -o -q -DskipTests package; fi
if curl -s -o /dev/null "localhost:$PORT"; then echo "port $PORT is taken (set BENCH_PORT)"; exit 1; fi
# a copy, so that building again while the benchmark runs leaves its server alone
cp "$(ls target/deepserve-*.jar | grep -v original | head -1)" "$OUT/server.jar"
rm -rf "$OUT/data"
: > "$OUT/server.log"
start_server "$OUT/server.log" java ${SERVER_JAVA_OPTS:-} -jar "$OUT/server.jar" --server.port="$PORT" --deepserve.data-dir="$PWD/$OUT/data"

python3 scripts/bench_forecast_transfer.py "localhost:$PORT/api/v1" "$SERIES" "$GLOBAL_EPOCHS" "$SINGLE_EPOCHS" "$STOCKS" "$HP" \
  "$LOO_STOCKS" | tee "$OUT/report.txt"
