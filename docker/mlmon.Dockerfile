# syntax=docker/dockerfile:1
# mlmon's own services (inference gateway, ML model exporter, notification
# sink, console) as small non-root images, one build target each:
#   docker build -f docker/mlmon.Dockerfile --target gateway  -t mlmon/gateway:0.1.0 .
#   docker build -f docker/mlmon.Dockerfile --target exporter -t mlmon/exporter:0.1.0 .
#   docker build -f docker/mlmon.Dockerfile --target sink     -t mlmon/sink:0.1.0 .
#   docker build -f docker/mlmon.Dockerfile --target console  -t mlmon/console:0.1.0 .
# docker-compose.yml builds them (`docker compose build`).

# Pinned to a release (a moving `node:20-...` tag would change under a rebuild);
# the build rehearsal test runs the same major. Bump it with Node security releases.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# --- build: compile TypeScript with the dev dependencies ---------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.browser.json ./
COPY docker/tsconfig.image.json docker/
COPY src/ src/
RUN npx tsc -p docker/tsconfig.image.json
# The console's page scripts, compiled for the browser into dist/browser/public.
RUN npx tsc -p tsconfig.browser.json

# --- deps: production dependencies only -------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime: what every service image shares ---------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
COPY --chown=root:root bin/ bin/
COPY --chown=root:root config/ config/
COPY --from=build --chown=root:root /src/dist/src dist/src
# The console serves its compiled page scripts and, from the source tree, its stylesheet.
COPY --from=build --chown=root:root /src/dist/browser/public dist/browser/public
COPY --chown=root:root src/console/public/console.css src/console/public/
# Code is root-owned and read-only to the service; only /data is writable
# (a named volume mounted there inherits this ownership).
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
ENTRYPOINT ["node", "/app/bin/mlmon.js"]

FROM runtime AS gateway
LABEL org.opencontainers.image.title="mlmon inference gateway"
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["serve", "gateway", "--host", "0.0.0.0", "--port", "8000", "--data-dir", "/data"]

FROM runtime AS exporter
LABEL org.opencontainers.image.title="mlmon ML model exporter"
EXPOSE 9101
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9101/metrics').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["serve", "exporter", "--host", "0.0.0.0", "--port", "9101", "--data-dir", "/data"]

FROM runtime AS sink
LABEL org.opencontainers.image.title="mlmon notification sink"
EXPOSE 9097 9098
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9097/notifications?limit=1').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["serve", "sink", "--host", "0.0.0.0", "--port", "9097", "--smtp-port", "9098", "--data-dir", "/data"]

FROM runtime AS console
LABEL org.opencontainers.image.title="mlmon console"
EXPOSE 9099
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9099/-/healthy').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["serve", "console", "--host", "0.0.0.0", "--port", "9099", "--data-dir", "/data", "--config-dir", "/app/config"]
