#!/usr/bin/env bash
# Training benchmark for BENCHMARKS.md: ResNet-18 (or ARCH), batch 32, at 64x64 and 224x224.
#  - deepserve: the packaged service trains on a generated shapes dataset through its HTTP API; images/s is
#    deepserve_training_samples_total / deepserve_training_batch_seconds_sum (training batches only, decoding and
#    augmentation of the PNGs included, validation excluded); peak memory is the service's VmHWM (peak RSS). The
#    job's "Training input" log line says how long its training thread spent on input and its prefetch thread ahead.
#  - peers, Debian's python3-torch training the torchvision network of the same name, same batch, image size and
#    thread count, in the same run: on the stored zip the service trained from, decoded once and augmented as the
#    service augments, with WORKERS DataLoader worker processes (default "0 1": one run each); and on one random
#    batch in memory (no input at all: the upper bound).
# Usage: scripts/bench-training.sh [sizes...]     (default: 64 224)
#   ARCH=mobilenet_v2 (default resnet18); SERVICE_ARGS="--deepserve.training.fused-optimizer=false" for DJL's own
#   optimizer step (issue 17's before), "--deepserve.training.prefetch=always" to stage batches on a thread of their own;
#   OPTIMIZER=sgd|adamw for another optimizer (default adam); PEER=0 skips the PyTorch peers.
#   PRECISION=bf16 for mixed-precision jobs, in a service started with ONEDNN_MAX_CPU_ISA=DEFAULT (oneDNN's bf16
#   kernels; the service caps oneDNN at AVX2 otherwise), beside the peer under bf16 autocast.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("${@:-64 224}")
[[ $# -eq 0 ]] && SIZES=(64 224)
PORT=${PORT:-18080}
BATCHES=${BATCHES:-12}
ARCH=${ARCH:-resnet18}
DATA=$(mktemp -d /tmp/deepserve-bench.XXXXXX)
JAR=$(ls target/deepserve-*.jar 2>/dev/null | grep -v plain | head -1 || true)
if [[ -z "$JAR" ]]; then
	./mvnw -B -q -ntp -DskipTests package
	JAR=$(ls target/deepserve-*.jar | grep -v plain | head -1)
fi

# shellcheck disable=SC2086
[[ "${PRECISION:-fp32}" == bf16 ]] && export ONEDNN_MAX_CPU_ISA=DEFAULT
java -Xmx4g -Dai.djl.offline=true -jar "$JAR" --server.port="$PORT" --deepserve.data-dir="$DATA" ${SERVICE_ARGS:-} \
	>"$DATA/service.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
BASE="http://127.0.0.1:$PORT"
# liveness, not readiness: uncapped (PRECISION=bf16) on a CPU whose AVX-512 float32 convolutions are wrong, the engine
# readiness check stays DOWN
for _ in $(seq 1 120); do
	curl -sf "$BASE/actuator/health/liveness" >/dev/null && break
	sleep 1
done
curl -sf "$BASE/actuator/health/liveness" >/dev/null || { echo "service did not start" >&2; tail -50 "$DATA/service.log"; exit 1; }

metric() { # name, model
	curl -s "$BASE/actuator/prometheus" | awk -v n="$1" -v m="model=\"$2\"" 'index($0, n"{") == 1 && index($0, m) { print $2 }'
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "java: $(java -version 2>&1 | head -1)"
for SIZE in "${SIZES[@]}"; do
	# 6 classes x 48 images, 20% held out: 230 training images, about 7 batches of 32 per epoch
	DATASET=$(curl -sf -X POST "$BASE/api/v1/datasets/samples/shapes?countPerClass=48&imageSize=$SIZE&seed=1&name=bench-$SIZE" \
		| python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	MODEL="bench-$ARCH-$SIZE"
	EPOCHS=$(( (BATCHES + 6) / 7 ))
	JOB=$(curl -sf -H 'Content-Type: application/json' "$BASE/api/v1/training-jobs" -d "{\"model\":\"$MODEL\",
		\"architecture\":\"$ARCH\",\"dataset\":\"$DATASET\",\"device\":\"cpu\",\"hyperparameters\":{\"epochs\":$EPOCHS,
		\"batchSize\":32,\"imageSize\":$SIZE,\"earlyStoppingPatience\":0,\"optimizer\":\"${OPTIMIZER:-adam}\"},
		\"precision\":\"${PRECISION:-fp32}\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	while true; do
		STATUS=$(curl -sf "$BASE/api/v1/training-jobs/$JOB" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
		[[ "$STATUS" == QUEUED || "$STATUS" == RUNNING ]] || break
		sleep 2
	done
	SAMPLES=$(metric deepserve_training_samples_total "$MODEL")
	SECONDS_SUM=$(metric deepserve_training_batch_seconds_sum "$MODEL")
	echo "{\"peer\": \"deepserve (DJL 0.32.0, PyTorch 2.5.1) ${PRECISION:-fp32}\", \"size\": $SIZE, \"batch\": 32, \"status\": \"$STATUS\", \"imagesPerSecond\": $(python3 -c "print(round($SAMPLES / $SECONDS_SUM, 2))"), \"trainingImages\": ${SAMPLES%.*}}"
	grep -o 'Training input: .*' "$DATA/service.log" | tail -1
	[[ "${PEER:-1}" == 0 ]] && continue
	PEER_ARGS=(--arch "$ARCH" --size "$SIZE" --batch 32 --batches "$BATCHES" --threads 2)
	[[ "${PRECISION:-fp32}" == bf16 ]] && PEER_ARGS+=(--bf16)
	ZIP=$(find "$DATA" -name "$DATASET.zip" | head -1)
	for W in ${WORKERS:-0 1}; do
		/usr/bin/python3 scripts/bench_training_torch.py "${PEER_ARGS[@]}" --images "$ZIP" --workers "$W"
	done
	/usr/bin/python3 scripts/bench_training_torch.py "${PEER_ARGS[@]}"
done
echo "{\"peer\": \"deepserve\", \"peakRssMiB\": $(awk '/VmHWM/ {printf "%.1f", $2/1024}' /proc/$PID/status)}"
