#!/usr/bin/env bash
# npm test: type check, lint, then every test tier in one vitest run (unit; integration on DynamoDB
# Local, the local state machines and the HTTP API; the web console in a browser).
# Needs no AWS account and no network beyond Debian's and npm's package registries.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/check-java.sh
# The server and the console side by side: two processes for the two cores (34 s one after the other).
echo "== type check"
npx tsc --noEmit -p . & server=$!
npx tsc --noEmit -p web & console=$!
typed=0
wait "$server" || typed=1
wait "$console" || typed=1
if [ "$typed" -ne 0 ]; then echo "type check failed (above)" >&2; exit 1; fi
echo "== lint"; npx biome ci .
echo "== dependency audit (npm audit --omit=dev: no high or critical)"; node --import tsx scripts/npm-audit.ts
bash scripts/check-test-tools.sh
# One run for the three tiers, two files at a time (this is a 2-core machine's figure; the longest files
# first, test/support/sequencer.ts): a tier run of its own waits at its end for its last long file while
# the other worker idles, and pays vitest's start again.
echo "== tests: unit, integration (DynamoDB Local, the local state machines, the HTTP API), browser (the web console in Debian's chromium)"
npx vitest run --project unit --project int --project e2e --maxWorkers=2
