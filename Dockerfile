# syntax=docker/dockerfile:1
# calico-logsift image: `docker build -t calico-logsift .`
# Stages: deps (production node_modules only) -> build (dev deps + tsc) -> runtime (node:20-slim,
# non-root, dist/ + production deps + schemas + the bundled sample). docs/DEPLOY.md.

ARG NODE_IMAGE=node:20-slim

# --- production dependencies only (no build tools, no devDependencies) ---
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run the build, which needs the dev dependencies.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- compile TypeScript ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schemas ./schemas
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# --- runtime ---
FROM ${NODE_IMAGE} AS runtime
# The heap is sized to the configured caps (epochs, caches, fetch sizes): without a limit V8 lets
# the old generation grow far past the live data (docs/PERF-NOTES.md, "Heap sizing and GC"). An 8 MB
# semi-space (default 16) takes ~35 MB off the peak RSS of `run`, which waits on Elasticsearch anyway.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=192 --max-semi-space-size=8" \
    LOGSIFT_HTTP_PORT=9464
WORKDIR /app
# dist/ imports ../package.json (version) and ../schemas/*.json (config schema, index templates).
COPY --chown=root:root package.json ./
COPY --chown=root:root bin ./bin
COPY --chown=root:root schemas ./schemas
COPY --chown=root:root samples ./samples
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# The image's `node` user (uid 1000); the code is owned by root and read-only for it.
USER node
EXPOSE 9464
# /healthz answers while the process is alive and its consumer is not crashed (src/telemetry).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.LOGSIFT_HTTP_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/logsift"]
CMD ["run"]
