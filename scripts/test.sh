#!/usr/bin/env bash
# npm test: type check, lint, then every test tier (unit, then integration on DynamoDB
# Local, the local state machine and the HTTP API). Needs no AWS account and no network.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/check-java.sh
echo "== type check"; npx tsc --noEmit -p .
echo "== lint"; npx biome ci .
echo "== unit tests"; npx vitest run --project unit
echo "== integration tests"; npx vitest run --project int
