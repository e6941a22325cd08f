#!/usr/bin/env bash
# Opt-in smoke test of the container image (not run by CI): build it on a locally made Debian base, run it with
# host networking, check that it refuses to start exposed without keys, turns ready with a key, imports the tiny
# test classifier and classifies one image.
#
#   sudo scripts/image-smoke.sh            # needs root, debootstrap and docker.io (Debian), network to
#                                          # deb.debian.org and Maven Central; no Docker Hub, no registry
#
# With no Docker daemon running it starts one for the duration of the script (vfs storage, no bridge, no
# iptables: works inside VMs and containers without overlayfs). Env: PORT (default 18080), KEEP=1 keeps the
# containers and images, BASE_SUITE (default bookworm).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-18080}
BASE_SUITE=${BASE_SUITE:-bookworm}
BASE=deepserve-smoke-base:$BASE_SUITE
IMAGE=deepserve:smoke
WORK=$(mktemp -d /tmp/deepserve-smoke.XXXXXX)
# the image builder inside docker 20.10; the client's BuildKit would need the buildx plugin
export DOCKER_BUILDKIT=0
DOCKERD_PID=
ROOTFS_PROC=

log() { printf '\n== %s\n' "$*"; }
fail() { printf '\nFAIL: %s\n' "$*" >&2; exit 1; }

cleanup() {
	if [[ -n $ROOTFS_PROC ]]; then
		umount "$ROOTFS_PROC" 2>/dev/null || true
	fi
	if [[ ${KEEP:-0} != 1 ]]; then
		docker rm -fv deepserve-smoke deepserve-smoke-open >/dev/null 2>&1 || true
	fi
	if [[ -n $DOCKERD_PID ]]; then
		kill "$DOCKERD_PID" 2>/dev/null || true
		wait "$DOCKERD_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

# certificates in the Java trust store of a root file system; 0 when it is missing, empty or unreadable
truststore_entries() {
	chroot "$1" keytool -list -cacerts -storepass changeit 2>/dev/null | grep -c trustedCertEntry || true
}

for tool in docker dockerd debootstrap curl python3; do
	command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install docker.io debootstrap curl python3)"
done

if ! docker info >/dev/null 2>&1; then
	log "starting dockerd (vfs, no bridge); log in /tmp/deepserve-smoke-dockerd.log"
	dockerd --storage-driver=vfs --bridge=none --iptables=false --ip6tables=false \
		>/tmp/deepserve-smoke-dockerd.log 2>&1 &
	DOCKERD_PID=$!
	for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
	docker info >/dev/null 2>&1 || fail "dockerd did not start; see /tmp/deepserve-smoke-dockerd.log"
fi

if ! docker image inspect "$BASE" >/dev/null 2>&1; then
	log "building the base image $BASE with debootstrap (JDK 17 for the build stage, also the runtime)"
	debootstrap --variant=minbase --include=openjdk-17-jdk-headless,ca-certificates,bash \
		"$BASE_SUITE" "$WORK/rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 \
		|| { tail -20 "$WORK/debootstrap.log"; fail "debootstrap failed"; }
	# Maven in the build needs Java's trust store (/etc/ssl/certs/java/cacerts), which ca-certificates-java fills
	# by running keytool from a dpkg trigger; under debootstrap that can leave it empty. Where the network
	# intercepts TLS (a company or sandbox proxy), the host trusts the proxy's CA from /usr/local/share/ca-certificates
	# and the base needs it too, or Maven fails with a PKIX error. The smoke image then trusts those CAs as well:
	# it is a local test image, never pushed. An empty store also breaks the next refresh, so rebuild it whole.
	shopt -s nullglob
	local_cas=(/usr/local/share/ca-certificates/*.crt)
	shopt -u nullglob
	if (( ${#local_cas[@]} )); then
		echo "adding the host's local CAs to the base: ${local_cas[*]##*/}"
		mkdir -p "$WORK/rootfs/usr/local/share/ca-certificates"
		cp "${local_cas[@]}" "$WORK/rootfs/usr/local/share/ca-certificates/"
	fi
	ROOTFS_PROC=$WORK/rootfs/proc
	mount -t proc proc "$ROOTFS_PROC"
	if (( ${#local_cas[@]} )) || [[ $(truststore_entries "$WORK/rootfs") == 0 ]]; then
		rm -f "$WORK/rootfs/etc/ssl/certs/java/cacerts"
		{ chroot "$WORK/rootfs" dpkg --configure -a && chroot "$WORK/rootfs" update-ca-certificates -f; } \
			>>"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; fail "rebuilding the trust store failed"; }
	fi
	entries=$(truststore_entries "$WORK/rootfs")
	aliases=$(chroot "$WORK/rootfs" keytool -list -cacerts -storepass changeit 2>/dev/null || true)
	umount "$ROOTFS_PROC"
	ROOTFS_PROC=
	[[ $entries != 0 ]] || fail "the base's Java trust store /etc/ssl/certs/java/cacerts is still empty"
	for ca in "${local_cas[@]}"; do
		name=${ca##*/}
		grep -qi "^debian:${name%.crt}.pem," <<<"$aliases" || fail "$name is not in the base's Java trust store"
	done
	echo "Java trust store of the base: $entries certificates"
	rm -rf "$WORK/rootfs/var/cache/apt/archives"/*.deb "$WORK/rootfs/var/lib/apt/lists"/*
	tar -C "$WORK/rootfs" -c . | docker import - "$BASE" >/dev/null
	rm -rf "$WORK/rootfs"
fi

log "building $IMAGE on $BASE (Maven runs inside the build with the host's network)"
docker build --network host --build-arg BUILD_IMAGE="$BASE" --build-arg BASE_IMAGE="$BASE" -t "$IMAGE" .

log "exposed without keys: the container must refuse to start"
docker rm -fv deepserve-smoke-open >/dev/null 2>&1 || true
if docker run --name deepserve-smoke-open --network host -e SERVER_PORT="$PORT" "$IMAGE" >"$WORK/open.log" 2>&1; then
	fail "the image started on 0.0.0.0 without API keys"
fi
# the reason SecurityConfiguration gives, so a crash for any other cause does not pass for the refusal
grep -q "would listen on 0.0.0.0 with no API keys configured" "$WORK/open.log" \
	|| { tail -30 "$WORK/open.log"; fail "no clear refusal in the log"; }
echo "refused, as it should"

log "starting with an admin key (only its SHA-256 goes into the container)"
KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
HASH=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)
docker rm -fv deepserve-smoke >/dev/null 2>&1 || true
docker run -d --name deepserve-smoke --network host -e SERVER_PORT="$PORT" \
	-e DEEPSERVE_SECURITY_APIKEYS_0_NAME=smoke -e DEEPSERVE_SECURITY_APIKEYS_0_SHA256="$HASH" \
	-e DEEPSERVE_SECURITY_APIKEYS_0_ROLES=admin "$IMAGE" >/dev/null
URL=http://127.0.0.1:$PORT
for i in $(seq 180); do
	[[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/actuator/health/readiness") == 200 ]] && break
	[[ $(docker inspect -f '{{.State.Running}}' deepserve-smoke) == true ]] || { docker logs deepserve-smoke | tail -40; fail "the container exited"; }
	sleep 1
done
[[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/actuator/health/readiness") == 200 ]] \
	|| { docker logs deepserve-smoke | tail -40; fail "not ready after 180 s"; }
echo "ready after about ${i}s"

log "a write without the key is refused"
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/api/v1/datasets/samples/shapes")
[[ $status == 401 ]] || fail "expected 401 without a key, got $status"

log "importing the tiny test classifier"
curl -sf -H "Authorization: Bearer $KEY" -F artifact=@src/test/resources/fixtures/tiny-classifier.pt \
	-F 'metadata={"task":"image-classification","architecture":"torchscript","labels":["cat","dog","fish"],"preprocessing":{"imageSize":32,"mean":[0.5,0.5,0.5],"std":[0.25,0.25,0.25]}};type=application/json' \
	"$URL/api/v1/models/smoke/versions" || fail "import failed"
echo

log "classifying one image"
python3 - "$WORK/image.png" <<'PY'
import struct, sys, zlib
w = h = 32
rows = b"".join(b"\x00" + b"".join(bytes((x * 8, y * 8, 128)) for x in range(w)) for y in range(h))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
answer=$(curl -sf -H "Authorization: Bearer $KEY" -H 'Content-Type: image/png' --data-binary @"$WORK/image.png" \
	"$URL/api/v1/models/smoke:1/classify?topK=3") || fail "classify failed"
echo "$answer"
python3 -c 'import json,sys; a=json.loads(sys.argv[1]); p=a["predictions"]; assert {x["label"] for x in p} <= {"cat","dog","fish"} and len(p)==3 and abs(sum(x["probability"] for x in p)-1)<1e-3, a' "$answer" \
	|| fail "unexpected classification answer"

log "image smoke test passed"
docker image ls "$IMAGE"
