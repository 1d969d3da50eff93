#!/usr/bin/env bash
# `npm test`: everything CI needs, from a fresh clone. Installs dependencies when missing, builds,
# runs the unit tests, then the integration tests against a real Kafka and Elasticsearch started by
# test/integration/global-setup.ts (unless KAFKA_BROKERS and ES_URL already point at servers).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
npx tsc -p tsconfig.json --noEmit
npx biome check . >/dev/null || { npx biome check . | tail -40; exit 1; }
npx vitest run "$@"
