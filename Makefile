# Viva: two commands do everything. `make run` serves the API with GraphiQL on :8000;
# `make test` runs every check and test against a real PostgreSQL.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help run test lint fmt schema bench bench-ai postgres model whisper whisper-base graphiql browser report-tools audio-tools s3-test-server

help:
	@echo "make run     - start PostgreSQL if needed, migrate, load demo data, serve on http://localhost:8000"
	@echo "make test    - formatting, clippy -D warnings and the whole test suite"
	@echo "make schema  - rewrite schema.graphql from the code"
	@echo "make bench   - resume vector search over 100,000 embeddings; load benchmarks of sign-in, me, interviews and 10,000 live subscriptions; analytics on 1,000,000 answers; Whisper on candle vs faster-whisper (release build)"
	@echo "make bench-ai - candle embeddings vs Python sentence-transformers, evaluation latency, and remote (Gemini) evaluation throughput"

postgres:
	@scripts/ensure-postgres.sh

# The embedding model (all-MiniLM-L6-v2) in a cache outside the repository.
model:
	@scripts/fetch-model.sh

# Whisper tiny.en (transcription's default model) in the same cache; base for the benchmark.
whisper:
	@scripts/fetch-whisper.sh tiny.en

whisper-base:
	@scripts/fetch-whisper.sh base

# GraphiQL's scripts and styles, from the npm registry, in a cache outside the repository.
graphiql:
	@scripts/fetch-graphiql.sh

# Debian's Chromium and playwright-core for the browser tests (and GraphiQL's assets).
browser:
	@scripts/setup-browser-tests.sh

# poppler-utils (the report tests read and render PDFs) and the fonts the PDFs embed.
report-tools:
	@scripts/setup-report-tests.sh

# moto's S3-compatible server, for the test that keeps files in a bucket.
s3-test-server:
	@scripts/setup-s3-test-server.sh >/dev/null

# ffmpeg (spoken answers are decoded with it) and espeak-ng (the audio fixtures' voice).
audio-tools:
	@scripts/setup-audio-tests.sh

run: postgres
	@scripts/setup-audio-tests.sh || echo "make run: continuing without ffmpeg (spoken answers cannot be transcribed)"
	@scripts/fetch-model.sh || echo "make run: continuing without the embedding model (AI features degraded)"
	@scripts/fetch-whisper.sh tiny.en || echo "make run: continuing without Whisper (spoken answers are not transcribed)"
	@scripts/fetch-graphiql.sh || echo "make run: continuing without GraphiQL's assets (/graphiql will say how to get them)"
	cargo build --bin viva
	@eval "$$(scripts/dev-env.sh)" && scripts/ensure-database.sh \
	  && target/debug/viva migrate && target/debug/viva seed && exec target/debug/viva serve

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	python3 scripts/check-shape.py

test: postgres model whisper browser report-tools audio-tools s3-test-server lint
	cargo test --workspace

fmt:
	cargo fmt --all

schema:
	cargo run --bin viva -- export-schema --out schema.graphql

bench: postgres whisper whisper-base audio-tools
	cargo bench -p viva-vectors --bench search
	cargo bench --bench auth_load
	cargo bench --bench interviews_load
	@# 2,500 WebSocket connections need more open files than the usual soft limit of 1024.
	ulimit -Sn $$(ulimit -Hn) && cargo bench --bench subscriptions
	cargo bench --bench analytics
	@# Both sides on 2 threads; the reference needs faster-whisper in scripts/python-env.sh's venv.
	RAYON_NUM_THREADS=2 cargo bench -p viva-whisper --bench whisper

bench-ai: model postgres
	RAYON_NUM_THREADS=2 cargo bench --bench embeddings
	RAYON_NUM_THREADS=2 cargo bench --bench asag
	RAYON_NUM_THREADS=2 cargo bench --bench remote_eval
