# Viva: two commands do everything. `make run` serves the API with GraphiQL on :8000;
# `make test` runs every check and test against a real PostgreSQL.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help run test lint fmt schema bench postgres

help:
	@echo "make run     - start PostgreSQL if needed, migrate, load demo data, serve on http://localhost:8000"
	@echo "make test    - formatting, clippy -D warnings and the whole test suite"
	@echo "make schema  - rewrite schema.graphql from the code"
	@echo "make bench   - load benchmark of sign-in and me (release build)"

postgres:
	@scripts/ensure-postgres.sh

run: postgres
	cargo build --bin viva
	@eval "$$(scripts/dev-env.sh)" && scripts/ensure-database.sh \
	  && target/debug/viva migrate && target/debug/viva seed && exec target/debug/viva serve

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

test: postgres lint
	cargo test --workspace

fmt:
	cargo fmt --all

schema:
	cargo run --bin viva -- export-schema --out schema.graphql

bench: postgres
	cargo bench --bench auth_load
	cargo bench --bench interviews_load
