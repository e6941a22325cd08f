#!/usr/bin/env bash
# Transfer learning on real images through the HTTP API (issue 21, "Proof on real data"), with feature extraction
# timed with and without deepserve's feature cache and beside the same feature extraction in PyTorch 1.13.
#  1. Debian's Fashion-MNIST (IDX) becomes image-folder zips (scripts/fashion_to_zips.py): classes 0-4 for
#     pretraining, classes 5-9 with TRANSFER_PER_CLASS (30) training images each, and TEST_PER_CLASS of each of
#     5-9's test images as the held-out set (PRETRAIN_CLASSES and TARGET_CLASSES swap them). With SEEDS, each seed
#     gets its own random draw of the training images (the one scripts/transfer_peer_torch.py makes for that seed).
#  2. The service jar pretrains resnet18 on classes 0-4, then trains on 5-9 from scratch, by feature extraction
#     (cached), by fine-tuning the last stage (trainableStages 1, or trainableLayers 1 where that option is refused)
#     and from an earlier stage (cutAt layer3, reported as refused where the build lacks it). Every held-out image
#     is classified over HTTP, per run.
#  3. The service is restarted with deepserve.training.feature-cache-max-size=0 and the feature extraction repeated,
#     then scripts/bench_transfer_torch.py runs it in PyTorch, per epoch and cached (not with SEEDS).
# Everything it writes goes under target/bench-transfer/ (report.txt is the summary).
#
#   scripts/bench-transfer-fashion.sh                     # full: 30,000 pretraining images, 10 + 15 epochs
#   PRETRAIN_IMAGES=2000 PRETRAIN_EPOCHS=2 TRANSFER_EPOCHS=5 TEST_PER_CLASS=100 scripts/bench-transfer-fashion.sh
#
# Knobs (environment): PRETRAIN_IMAGES (total over the 5 classes, up to 30000), PRETRAIN_EPOCHS (10),
# TRANSFER_PER_CLASS (30), TRANSFER_EPOCHS (15), TRANSFER_LRS ("0.001 0.01": every method runs at each and the
# one with the best validation accuracy is reported), TEST_PER_CLASS (1000), IMAGE_SIZE (32), BATCH (32), SEED (42),
# PRETRAIN_CLASSES (0-4), TARGET_CLASSES (5-9), SEEDS ("": the first images of each class; "0 1 2": a draw per seed),
# METHODS ("scratch fe ft cut full"), SCHEDULE (the jobs' learning-rate schedule: the service's default, cosine, when
# empty; fixed is what scripts/transfer_peer_torch.py does), BASE_STATE_DICT (a torchvision resnet18 state dict pretrained elsewhere, e.g. by
# scripts/transfer_peer_torch.py --save-base: exported and imported instead of pretraining), BENCH_PORT (18083), SKIP_BUILD=1 to use the jar in target/ as it is,
# SERVER_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
export PRETRAIN_IMAGES=${PRETRAIN_IMAGES:-30000} PRETRAIN_EPOCHS=${PRETRAIN_EPOCHS:-10}
export TRANSFER_PER_CLASS=${TRANSFER_PER_CLASS:-30} TRANSFER_EPOCHS=${TRANSFER_EPOCHS:-15}
export TEST_PER_CLASS=${TEST_PER_CLASS:-1000} IMAGE_SIZE=${IMAGE_SIZE:-32} BATCH=${BATCH:-32} SEED=${SEED:-42}
export PRETRAIN_CLASSES=${PRETRAIN_CLASSES:-0-4} TARGET_CLASSES=${TARGET_CLASSES:-5-9} SEEDS=${SEEDS:-}
OUT=target/bench-transfer
PORT=${BENCH_PORT:-18083}
PY=/usr/bin/python3
mkdir -p "$OUT"

[ "${SKIP_BUILD:-0}" = 1 ] || ./mvnw -o -q -B -ntp -DskipTests package
JAR=$(ls target/deepserve-*.jar | grep -v original | head -1)

rm -rf "$OUT/images"
$PY scripts/fashion_to_zips.py "$OUT/images" --size "$IMAGE_SIZE" --pretrain-per-class $((PRETRAIN_IMAGES / 5)) \
  --transfer-per-class "$TRANSFER_PER_CLASS" --test-per-class "$TEST_PER_CLASS" --pretrain "$PRETRAIN_CLASSES" \
  --target "$TARGET_CLASSES" --seeds "$(echo $SEEDS | tr ' ' ,)"

start() { # extra server arguments
  start_server "$OUT/server.log" java ${SERVER_JAVA_OPTS:-} -jar "$JAR" --server.port="$PORT" \
    --deepserve.data-dir="$PWD/$OUT/data" "$@"
}

rm -rf "$OUT/data" "$OUT/state.json" "$OUT/server.log"
REPORT="$OUT/report.txt"
{
  echo "## $(date -u +%FT%TZ) on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  if [ -n "${BASE_STATE_DICT:-}" ]; then echo "base: $BASE_STATE_DICT (classes $PRETRAIN_CLASSES), imported"
  else echo "pretraining: $PRETRAIN_IMAGES images (classes $PRETRAIN_CLASSES), $PRETRAIN_EPOCHS epochs"; fi
  echo "transfer:" \
    "$TRANSFER_PER_CLASS images per class (classes $TARGET_CLASSES, 80/20 train/validation, seeds ${SEEDS:-none})," \
    "$TRANSFER_EPOCHS epochs; $IMAGE_SIZE px, batch $BATCH; held out: $TEST_PER_CLASS test images per class"
} | tee "$REPORT"
start
if [ -n "${BASE_STATE_DICT:-}" ]; then # a base pretrained in PyTorch, brought in as the README says
  export BASE_WEIGHTS="$OUT/base.safetensors"
  $PY scripts/export_pretrained.py resnet18 "$BASE_WEIGHTS" --weights "$BASE_STATE_DICT"
  $PY scripts/bench_transfer_fashion.py import "http://localhost:$PORT" "$OUT/images" "$OUT/state.json" | tee -a "$REPORT"
else
  $PY scripts/bench_transfer_fashion.py pretrain "http://localhost:$PORT" "$OUT/images" "$OUT/state.json" | tee -a "$REPORT"
fi
$PY scripts/bench_transfer_fashion.py transfer "http://localhost:$PORT" "$OUT/images" "$OUT/state.json" | tee -a "$REPORT"
stop_server
[ -z "$SEEDS" ] || exit 0
start --deepserve.training.feature-cache-max-size=0
$PY scripts/bench_transfer_fashion.py uncached "http://localhost:$PORT" "$OUT/images" "$OUT/state.json" | tee -a "$REPORT"
stop_server
grep -E "Cached base features|Not caching base features" "$OUT/server.log" | sed 's/^.*-- /server: /' | tee -a "$REPORT"
$PY scripts/bench_transfer_torch.py "$OUT/images/transfer.zip" "$TRANSFER_EPOCHS" "$BATCH" 0.001 "$SEED" \
  | tee -a "$REPORT"
