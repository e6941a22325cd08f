# deepserve image: one image, every role (serving, training or both, chosen by DEEPSERVE_ROLES at run time).
#
#   CPU:  docker build -t deepserve:0.1.0 .
#   GPU:  docker build -t deepserve:0.1.0-cu124 --build-arg PYTORCH_FLAVOR=cu124 \
#           --build-arg BASE_IMAGE=nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04 .
#
# BASE_IMAGE is any glibc Linux with Java 17 or with apt to install it (Debian/Ubuntu); scripts/image-smoke.sh
# builds one with debootstrap. The image listens on 0.0.0.0, so it refuses to start until API keys are configured
# (DEEPSERVE_SECURITY_APIKEYS_0_NAME, _SHA256, _ROLES) or DEEPSERVE_SECURITY_ALLOWANONYMOUS=true is set.

ARG BUILD_IMAGE=eclipse-temurin:17-jdk-noble
ARG BASE_IMAGE=eclipse-temurin:17-jre-noble

# Everything but the application: the final stage below adds the jar built here from source, Dockerfile.jar adds
# one built outside (CI's, already tested), so both images are configured by this one stage.
FROM ${BASE_IMAGE} AS runtime
# CUDA and plain Debian bases carry no Java; install the distribution's JRE 17 only where it is missing
RUN if ! command -v java >/dev/null 2>&1; then \
      apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        openjdk-17-jre-headless && rm -rf /var/lib/apt/lists/*; \
    fi \
 && (getent group 10001 >/dev/null || groupadd --system --gid 10001 deepserve) \
 && (getent passwd 10001 >/dev/null || useradd --system --uid 10001 --gid 10001 --no-create-home \
      --home-dir /var/lib/deepserve --shell /usr/sbin/nologin deepserve) \
 && mkdir -p /var/lib/deepserve /opt/deepserve \
 && chown 10001:10001 /var/lib/deepserve
WORKDIR /opt/deepserve
# Model registry, datasets, the embedded database and DJL's extracted native library live under the data dir.
# The PyTorch native library ships inside the jar; offline, DJL never downloads anything.
ENV DEEPSERVE_DATADIR=/var/lib/deepserve \
    DJL_CACHE_DIR=/var/lib/deepserve/cache/djl \
    ENGINE_CACHE_DIR=/var/lib/deepserve/cache/djl \
    SERVER_ADDRESS=0.0.0.0 \
    SERVER_PORT=8080 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -Dai.djl.offline=true"
VOLUME /var/lib/deepserve
EXPOSE 8080
# numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd
USER 10001:10001
# bash's /dev/tcp instead of curl: no extra package in the image, works on every base above
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${SERVER_PORT} && printf 'GET /actuator/health/liveness HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]

FROM ${BUILD_IMAGE} AS build
ARG PYTORCH_FLAVOR=cpu
WORKDIR /src
# dependencies first: this layer is rebuilt only when the pom changes, not on every source edit
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -ntp -q -Dpytorch.flavor=${PYTORCH_FLAVOR} dependency:go-offline
COPY src src
RUN ./mvnw -B -ntp -q -Dpytorch.flavor=${PYTORCH_FLAVOR} -Dmaven.test.skip=true package \
 && java -Djarmode=tools -jar target/deepserve-*.jar extract --layers --launcher --destination /extracted \
 && cp -a /extracted/snapshot-dependencies/. /extracted/application/

FROM runtime
# least- to most-often changing, so a code change ships only the small last layer. Snapshot dependencies (none
# today) ride in the application layer: the classic builder (Debian's docker.io 20.10, DOCKER_BUILDKIT=0) fails
# the COPY that follows a COPY of an empty directory with "layer does not exist" (moby/moby#40591).
COPY --from=build /extracted/dependencies/ ./
COPY --from=build /extracted/spring-boot-loader/ ./
COPY --from=build /extracted/application/ ./

