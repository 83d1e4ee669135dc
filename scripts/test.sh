#!/usr/bin/env bash
# npm test: type check, lint, then every test tier (unit, then integration on DynamoDB
# Local, the local state machine and the HTTP API, then the web console in a browser).
# Needs no AWS account and no network beyond Debian's and npm's package registries.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/check-java.sh
echo "== type check"; npx tsc --noEmit -p . && npx tsc --noEmit -p web
echo "== lint"; npx biome ci .
echo "== dependency audit (npm audit --omit=dev: no high or critical)"; node --import tsx scripts/npm-audit.ts
echo "== unit tests"; npx vitest run --project unit
echo "== integration tests"; npx vitest run --project int --maxWorkers=2
bash scripts/check-chromium.sh
echo "== browser tests (web console in Debian's chromium)"; npx vitest run --project e2e --maxWorkers=2
