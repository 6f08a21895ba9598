# Tributary — the two commands of the README, and helpers.
#   make demo   install what is missing, build (release) and run the demo against the built-in mock market
#   make test   install what is missing, then run every test
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: deps deps-postgres deps-promtool deps-chromium deps-nats deps-s3 lint format build release demo test coverage bench bench-run bench-ingest bench-import bench-store bench-pg-floor bench-cluster bench-features bench-s3 fuzz soak clean

# System packages Tributary needs: libcurl's, SQLite's and libnats's headers (with pkg-config), the
# time-zone database (exchange-local times are converted with it) and curl (the demo pushes with it).
deps:
	@missing=""; \
	if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libcurl; then missing="libcurl4-openssl-dev pkg-config"; fi; \
	if ! pkg-config --exists sqlite3 2>/dev/null; then missing="$$missing libsqlite3-dev"; fi; \
	if ! pkg-config --exists libnats 2>/dev/null; then missing="$$missing libnats-dev"; fi; \
	if [ ! -e /usr/share/zoneinfo/America/New_York ]; then missing="$$missing tzdata"; fi; \
	if ! command -v curl >/dev/null 2>&1; then missing="$$missing curl"; fi; \
	if ! command -v python3 >/dev/null 2>&1; then missing="$$missing python3"; fi; \
	if ! command -v runuser >/dev/null 2>&1; then missing="$$missing util-linux"; fi; \
	if [ -n "$$missing" ]; then \
		echo "tributary: installing$$missing with apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product tributary

demo: release
	bash scripts/demo.sh .build/release/tributary

# The million-row import tests run the release binary (the debug one is ~4x slower on them).
# The isolation tests measure the whole process and run alone afterwards: they compare throughput
# with and without a hung upstream (the end-to-end tests load both cores). The file-descriptor
# leak test counts open files in a process of its own (an exit test), beside the others.
# The PostgreSQL server the store tests use (Debian's postgresql), installed when missing.
deps-postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "tributary: installing postgresql with apt-get (the store tests run against it)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends postgresql; \
	fi

# promtool (Debian's prometheus package): the tests check /metrics, the alert rules and their
# unit tests with it. Only the tool is used; no Prometheus server is started.
deps-promtool:
	@if ! command -v promtool >/dev/null 2>&1; then \
		echo "tributary: installing prometheus (for promtool) with apt-get"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends prometheus; \
	fi

# Style: swift-format (ships with the toolchain) with the committed .swift-format, over Sources and
# Tests; `make format` rewrites in place, `make lint` (run first by `make test`) fails on any finding.
lint:
	$(SWIFT) format lint --strict --configuration .swift-format -r Sources Tests

format:
	$(SWIFT) format format --configuration .swift-format -i -r Sources Tests

# nats-server (Debian's, 2.9, JetStream): the bus tests start their own on loopback ports.
deps-nats:
	@if ! command -v nats-server >/dev/null 2>&1; then \
		echo "tributary: installing nats-server with apt-get (the bus tests run against it)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nats-server; \
	fi

# moto (an S3-compatible server) and boto3, from PyPI into .venv-s3: the bucket import tests start
# their own moto_server on a loopback port and put objects with boto3 (python3-venv from Debian if missing).
deps-s3:
	@if [ ! -x .venv-s3/bin/moto_server ]; then \
		if ! python3 -m venv --help >/dev/null 2>&1; then \
			$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends python3-venv; \
		fi; \
		echo "tributary: installing moto[server] from PyPI into .venv-s3 (the S3 import tests run against it)"; \
		rm -rf .venv-s3 && python3 -m venv .venv-s3 && .venv-s3/bin/pip install -q 'moto[server]==5.*'; \
	fi

# Headless Chromium (Debian's chromium): the dashboard test loads the page in it.
deps-chromium:
	@if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then \
		echo "tributary: installing chromium with apt-get (the dashboard test runs the page in it)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; \
	fi

# PostgreSQL: a throw-away cluster on a free loopback port for the whole run (scripts/postgres-test.sh),
# stopped by its PID when the tests end, whatever their outcome.
# The tests are built with code coverage (one build, not two): each `swift test` run's profiles
# are kept (a run empties codecov/ first), and scripts/coverage.sh prints the pure modules' line
# coverage and fails under 90 %.
test: deps deps-postgres deps-promtool deps-chromium deps-nats deps-s3 lint
	$(SWIFT) build --build-tests --enable-code-coverage
	$(SWIFT) build -c release --product tributary
	@bash scripts/coverage.sh clean
	@pgdir=$$(mktemp -d /tmp/tributary-pg.XXXXXX); \
	url=$$(bash scripts/postgres-test.sh start $$pgdir) || exit 1; \
	trap "bash scripts/postgres-test.sh stop $$pgdir" EXIT; \
	echo "tributary: PostgreSQL for the tests at $$url"; \
	export TRIBUTARY_TEST_POSTGRES_URL=$$url; \
	TRIBUTARY_RELEASE_BINARY=$(CURDIR)/.build/release/tributary $(SWIFT) test --skip-build --enable-code-coverage --skip IsolationTests && \
	bash scripts/coverage.sh keep && \
	$(SWIFT) test --skip-build --enable-code-coverage --filter IsolationTests && \
	bash scripts/coverage.sh keep
	bash scripts/coverage.sh report
	FUZZ_SECONDS=20 bash scripts/fuzz.sh
	@soak=$$(mktemp -d /tmp/tributary-soak.XXXXXX); \
	SOAK_SHORT=1 SOAK_OUT=$$soak bash scripts/soak.sh 2; status=$$?; rm -rf $$soak; exit $$status

# libFuzzer harnesses (Fuzz/): each for FUZZ_RUNS executions (default 100,000), or FUZZ_SECONDS each.
fuzz:
	bash scripts/fuzz.sh

# The coverage table again, from the profiles the last `make test` kept.
coverage:
	bash scripts/coverage.sh report

# Throughput against loopback nginx and a C libcurl loop (needs nginx and wrk; see Docs/PERFORMANCE.md).
bench: release
	bash Benchmarks/fetch.sh

bench-run: release
	./.build/release/tributary bench run --seconds 10 --jobs 2 --store /tmp/tributary-bench.sqlite
	./.build/release/tributary bench run --seconds 10 --jobs 4 --store /tmp/tributary-bench.sqlite
	python3 Benchmarks/sqlite_baseline.py 300000

bench-ingest: release
	bash Benchmarks/ingest.sh 8 16

bench-import: release
	bash Benchmarks/import.sh 1000000

# CSV → SQLite and PostgreSQL against the sqlite3 shell's .import and psql \copy (needs sqlite3 and postgresql).
bench-store: release deps-postgres
	bash Benchmarks/store.sh 1000000

# What PostgreSQL alone needs for Tributary's stored trades, by index set and COPY format (needs postgresql).
bench-pg-floor: release deps-postgres
	bash Benchmarks/pg-floor.sh 1000000

# Pollers → PostgreSQL in-process and through NATS JetStream with a sink (needs nats-server and postgresql).
bench-cluster: release deps-postgres deps-nats
	bash Benchmarks/cluster.sh 10 4

# Trades → bars through the feature engine against pandas (float64 and Decimal) on the same trades.
bench-features: release
	bash Benchmarks/features.sh 2000000 1000

# A bucket prefix from a local S3-compatible server against the same file from disk and aws s3 cp; the chunker alone.
bench-s3: release deps-s3
	bash Benchmarks/s3.sh 1000000 40

# The soak of issue #10: run --demo with ~5 % faults and a steady push load at ~70 % of its measured
# capacity for MINUTES minutes; lost/duplicated/unexpected pushes, RSS slope and open fds checked.
MINUTES ?= 30
soak: release
	bash scripts/soak.sh $(MINUTES)

clean:
	rm -rf .build
