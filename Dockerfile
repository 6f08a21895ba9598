# Tributary in a container: built with the Swift toolchain image, run on a slim Debian with only
# the runtime libraries. The Swift runtime and Foundation are linked in (--static-swift-stdlib),
# so the runtime stage needs Debian's libcurl, SQLite, libnats and the C++ runtime, nothing from Swift.
# A test (Tests/EndToEndTests/ContainerImageTests.swift) checks that the runtime stage installs
# every shared library `ldd` reports for the binary.
#
#   docker build -t tributary .
#   docker run -p 8080:8080 -v tributary-data:/data --env-file .env tributary
#   docker compose up            # with PostgreSQL as the store (compose.yaml)

FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcurl4-openssl-dev libsqlite3-dev libnats-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY . .
RUN swift build -c release --product tributary --static-swift-stdlib \
 && mkdir -p /out \
 && cp "$(swift build -c release --show-bin-path)/tributary" /out/ \
 && cp -R Sources.d /out/Sources.d

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcurl4 libsqlite3-0 libnats3.4 libstdc++6 tzdata ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin tributary \
 && mkdir -p /data /etc/tributary \
 && chown tributary:tributary /data
COPY --from=build /out/tributary /usr/local/bin/tributary
COPY --from=build /out/Sources.d /etc/tributary/Sources.d
# Listen on every interface inside the container; the store and its dead letters live on the volume.
ENV TRIBUTARY_HTTP_HOST=0.0.0.0 \
    TRIBUTARY_HTTP_PORT=8080 \
    TRIBUTARY_STORE_PATH=/data/tributary.sqlite
USER tributary
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health || exit 1
# SIGTERM (docker stop) drains the buffer and exits 0; give it more than shutdown.deadline (10 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["tributary"]
CMD ["run"]
