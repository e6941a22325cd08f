#!/usr/bin/env bash
# Issue 20's proof over every real series: each index of ../shared/data/series/ (DAX, SMI, CAC, FTSE, and MSFT's
# one-year Close) and each of the 30 Dow stocks, per forecasting architecture, trained through the HTTP API with the
# defaults a new user gets (window 60, hidden 64, 2 layers, horizon 1, targetTransform auto) and a fixed epoch
# budget; plus one global LSTM over the 30 Dow stocks against the per-series models. Read from each version's
# metrics: holdout MASE of model and naive, relative MAE, Diebold-Mariano statistic and p-value, beatsNaive,
# band coverage at 80/90/95 %. The driver is scripts/bench_forecast_series.py. Everything goes under
# target/bench-forecast-series/ (rows.csv: one row per series and model; report.txt: the summary tables).
#
#   scripts/bench-forecast-series.sh [EPOCHS] [GLOBAL_EPOCHS] [ARCHS] [ONLY] [EXTRA_HP]
#   defaults 1, 1, "rnn lstm gru seq2seq-attention transformer", all series, none
#   e.g. scripts/bench-forecast-series.sh 1 0 lstm "DAX MSFT-2000"    # a quick look
#   EXTRA_HP: more hyperparameters as JSON members, e.g. '"batchSize":64' (the budget on a busy 2-core machine)
#   The tables of a run stopped early: python3 scripts/bench_forecast_series.py --summary \
#     target/bench-forecast-series/rows.csv "rnn lstm gru seq2seq-attention transformer"
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
EPOCHS=${1:-1}
GLOBAL_EPOCHS=${2:-1}
ARCHS=${3:-rnn lstm gru seq2seq-attention transformer}
ONLY=${4:-}
EXTRA_HP=${5:-}
OUT=target/bench-forecast-series
PORT=${BENCH_PORT:-18094}
SERIES_DIR=${SERIES_DIR:-$PWD/../shared/data/series}
mkdir -p "$OUT"

if [ -z "${SKIP_BUILD:-}" ]; then ./mvnw -o -q -B -ntp -DskipTests package; fi
if curl -s -o /dev/null "localhost:$PORT"; then echo "port $PORT is taken (set BENCH_PORT)"; exit 1; fi
# a copy, so that building again while the benchmark runs leaves its server alone
cp "$(ls target/deepserve-*.jar | grep -v original | head -1)" "$OUT/server.jar"
rm -rf "$OUT/data"
: > "$OUT/server.log"
start_server "$OUT/server.log" java ${SERVER_JAVA_OPTS:-} -jar "$OUT/server.jar" --server.port="$PORT" --deepserve.data-dir="$PWD/$OUT/data"

PYTHONDONTWRITEBYTECODE=1 ${PYTHON:-/usr/bin/python3} -u scripts/bench_forecast_series.py "localhost:$PORT/api/v1" "$SERIES_DIR" "$EPOCHS" \
  "$GLOBAL_EPOCHS" "$ARCHS" "$OUT" "$ONLY" "$EXTRA_HP" | tee "$OUT/report.txt"
