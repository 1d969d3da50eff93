#!/usr/bin/env bash
# `npm test`: everything CI needs, from a fresh clone. Installs dependencies when missing, builds,
# runs the unit tests, then the integration tests against a real Kafka and Elasticsearch started by
# test/integration/global-setup.ts (unless KAFKA_BROKERS and ES_URL already point at servers).
set -euo pipefail
cd "$(dirname "$0")/.."
# helm for the chart checks (deploy/helm): built once from the Go module proxy into the cache
# (scripts/helm.sh). A cold build takes ~4 minutes on 2 cores, so it runs in the background while
# the dependencies install, the build and the static checks run, and is waited for before the tests.
HELM_LOG="$(mktemp)"
bash scripts/helm.sh --build-only >"$HELM_LOG" 2>&1 &
HELM_PID=$!
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
npx tsc -p tsconfig.json --noEmit
npx biome check . >/dev/null || { npx biome check . | tail -40; exit 1; }
# The statement-library generator (scripts/statements, Go standard library only, no network):
# its tests run wherever a Go toolchain is installed; the shipped library file is tested below.
if command -v go >/dev/null 2>&1; then
  (cd scripts/statements && go vet ./... && go test ./...)
fi
if ! wait "$HELM_PID"; then
  cat "$HELM_LOG" >&2
  exit 1
fi
HELM="$(tail -n 1 "$HELM_LOG")"
rm -f "$HELM_LOG"
"$HELM" lint --strict deploy/helm/calico-logsift >/dev/null || "$HELM" lint --strict deploy/helm/calico-logsift
"$HELM" template calico-logsift deploy/helm/calico-logsift >/dev/null
npx vitest run "$@"
