#!/usr/bin/env bash
# Docker for the container tests (src/test/java/io/deepserve/container, *IT, run by Maven's failsafe in `verify`).
#
#   scripts/ci-image.sh setup   # .ci/run, before Maven: install docker.io/debootstrap if missing (root, Debian),
#                               # start dockerd if none runs, build the debootstrapped base once
#   scripts/ci-image.sh image   # Maven, pre-integration-test: the service image from the jar `package` just built
#
# No image is pulled from any registry: the base is made with debootstrap and tagged by a hash of its inputs
# (suite, packages, the host's extra CAs), so it is built once per machine and reused. The service image is the
# main Dockerfile's `runtime` stage plus the built jar's layers (Dockerfile.jar), tagged $IMAGE (deepserve:ci).
#
# Where Docker cannot be had (no root, no daemon, no network for debootstrap) the reason goes to
# target/ci-image/status as "NOT RUN: <reason>" and the script exits 0: the container tests then abort with that
# reason (failsafe reports them skipped) and .ci/run prints it. A build that fails with Docker up fails the build.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-deepserve:ci}
BASE_SUITE=${BASE_SUITE:-bookworm}
BASE_PACKAGES=openjdk-17-jdk-headless,ca-certificates,bash
STATUS_DIR=target/ci-image
STATUS=$STATUS_DIR/status
DOCKERD_LOG=/tmp/deepserve-ci-dockerd.log
# Debian's docker.io 20.10: its CLI builds with the daemon's legacy builder (a newer CLI earlier on the PATH would
# want the buildx plugin for BuildKit)
DOCKER=docker
[[ -x /usr/bin/docker ]] && DOCKER=/usr/bin/docker
export DOCKER_BUILDKIT=0

log() { printf '== ci-image: %s\n' "$*"; }
not_run() {
	mkdir -p "$STATUS_DIR"
	echo "NOT RUN: $*" >"$STATUS"
	log "container tests NOT RUN: $*"
	exit 0
}

ensure_tools() {
	local missing=()
	command -v dockerd >/dev/null || missing+=(docker.io)
	command -v debootstrap >/dev/null || missing+=(debootstrap)
	command -v docker-compose >/dev/null || missing+=(docker-compose)
	((${#missing[@]})) || return 0
	[[ $(id -u) == 0 ]] || not_run "${missing[*]} missing and not root to install them"
	command -v apt-get >/dev/null || not_run "${missing[*]} missing and no apt-get to install them"
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -q && apt-get install -y -q "${missing[@]}"; } >/tmp/deepserve-ci-apt.log 2>&1 \
		|| not_run "apt-get install ${missing[*]} failed (/tmp/deepserve-ci-apt.log)"
}

# the smoke script's way, which works inside VMs and containers without overlayfs or iptables; left running
ensure_daemon() {
	$DOCKER info >/dev/null 2>&1 && return 0
	[[ $(id -u) == 0 ]] || not_run "no Docker daemon reachable and not root to start one"
	command -v dockerd >/dev/null || not_run "no Docker daemon reachable and no dockerd"
	log "starting dockerd (vfs, no bridge, no iptables); log in $DOCKERD_LOG"
	nohup dockerd --storage-driver=vfs --bridge=none --iptables=false --ip6tables=false >"$DOCKERD_LOG" 2>&1 &
	for _ in $(seq 60); do $DOCKER info >/dev/null 2>&1 && return 0; sleep 1; done
	not_run "dockerd did not start ($(tail -1 "$DOCKERD_LOG" 2>/dev/null))"
}

local_cas() {
	shopt -s nullglob
	LOCAL_CAS=(/usr/local/share/ca-certificates/*.crt)
	shopt -u nullglob
}

base_tag() {
	local_cas
	local hash
	hash=$({ echo "$BASE_SUITE $BASE_PACKAGES"; ((${#LOCAL_CAS[@]})) && cat "${LOCAL_CAS[@]}"; } | sha256sum | cut -c1-12)
	echo "deepserve-ci-base:$BASE_SUITE-$hash"
}

truststore_entries() {
	chroot "$1" keytool -list -cacerts -storepass changeit 2>/dev/null | grep -c trustedCertEntry || true
}

# Debian minbase with Java 17 (the JDK, so the same base also serves the main Dockerfile's Maven stage). The Java
# trust store handling is scripts/image-smoke.sh's: the host's extra CAs go in, an empty store is rebuilt.
build_base() {
	local base=$1 work
	local_cas
	[[ $(id -u) == 0 ]] || not_run "base image $base missing and not root to debootstrap it"
	command -v debootstrap >/dev/null || not_run "base image $base missing and no debootstrap"
	work=$(mktemp -d /tmp/deepserve-ci-base.XXXXXX)
	log "building $base with debootstrap (log: $work.log)"
	if ! debootstrap --variant=minbase --include="$BASE_PACKAGES" "$BASE_SUITE" "$work/rootfs" \
		http://deb.debian.org/debian >"$work.log" 2>&1; then
		rm -rf "$work"
		not_run "debootstrap of $BASE_SUITE failed ($(tail -1 "$work.log"))"
	fi
	if ((${#LOCAL_CAS[@]})); then
		mkdir -p "$work/rootfs/usr/local/share/ca-certificates"
		cp "${LOCAL_CAS[@]}" "$work/rootfs/usr/local/share/ca-certificates/"
	fi
	mount -t proc proc "$work/rootfs/proc"
	if ((${#LOCAL_CAS[@]})) || [[ $(truststore_entries "$work/rootfs") == 0 ]]; then
		rm -f "$work/rootfs/etc/ssl/certs/java/cacerts"
		chroot "$work/rootfs" dpkg --configure -a >>"$work.log" 2>&1 || true
		chroot "$work/rootfs" update-ca-certificates -f >>"$work.log" 2>&1 || true
	fi
	local entries
	entries=$(truststore_entries "$work/rootfs")
	umount "$work/rootfs/proc"
	if [[ $entries == 0 ]]; then
		rm -rf "$work"
		echo "the base's Java trust store is empty (see $work.log)" >&2
		exit 1
	fi
	rm -rf "$work/rootfs/var/cache/apt/archives"/*.deb "$work/rootfs/var/lib/apt/lists"/*
	tar -C "$work/rootfs" -c . | $DOCKER import - "$base" >/dev/null
	rm -rf "$work"
	log "base $base built"
}

ensure_base() {
	local base
	base=$(base_tag)
	$DOCKER image inspect "$base" >/dev/null 2>&1 || build_base "$base"
	BASE=$base
}

build_image() {
	local jar started
	jar=$(ls target/deepserve-*.jar 2>/dev/null | grep -v -- '-plain' | head -1 || true)
	[[ -n $jar ]] || { echo "no target/deepserve-*.jar: run after package" >&2; exit 1; }
	started=$(date +%s)
	# the runtime stage (Java, user, environment, entry point) changes rarely; the builder's cache keeps it
	$DOCKER build -q --target runtime --build-arg BASE_IMAGE="$BASE" -t deepserve-ci-runtime:latest . >/dev/null
	rm -rf "$STATUS_DIR/layers"
	java -Djarmode=tools -jar "$jar" extract --layers --launcher --destination "$STATUS_DIR/layers" >/dev/null
	cp -a "$STATUS_DIR/layers/snapshot-dependencies/." "$STATUS_DIR/layers/application/"
	rm -rf "$STATUS_DIR/layers/snapshot-dependencies"
	$DOCKER build -q -f Dockerfile.jar --build-arg RUNTIME_IMAGE=deepserve-ci-runtime:latest -t "$IMAGE" \
		"$STATUS_DIR/layers" >/dev/null
	rm -rf "$STATUS_DIR/layers"
	# the previous build's image, now untagged: with vfs every layer is a full copy, so do not let them pile up
	$DOCKER image prune -f >/dev/null 2>&1 || true
	local size
	size=$($DOCKER image inspect -f '{{.Size}}' "$IMAGE")
	log "$IMAGE built from $jar in $(($(date +%s) - started)) s, $((size / 1000000)) MB"
	echo "READY $IMAGE" >"$STATUS"
}

mkdir -p "$STATUS_DIR"
case ${1:-all} in
setup)
	ensure_tools
	ensure_daemon
	ensure_base
	echo "SETUP $BASE" >"$STATUS"
	;;
image)
	if ! $DOCKER info >/dev/null 2>&1; then
		# keep the reason setup found, if it found one
		grep -q '^NOT RUN' "$STATUS" 2>/dev/null && { log "container tests $(cat "$STATUS")"; exit 0; }
		not_run "no Docker daemon reachable (.ci/run starts one: scripts/ci-image.sh setup)"
	fi
	ensure_base
	build_image
	;;
all)
	ensure_tools
	ensure_daemon
	ensure_base
	build_image
	;;
*)
	echo "usage: $0 [setup|image|all]" >&2
	exit 2
	;;
esac
