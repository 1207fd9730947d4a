# syntax=docker/dockerfile:1
# Image of cratedb-cloud-exporter. Build from the repository root:
#   docker build --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" -t cratedb-cloud-exporter .
# test/deploy/dockerfile-steps.test.ts replays these steps without a Docker engine: keep to the
# instructions it understands (ARG, FROM, WORKDIR, COPY, RUN, ENV, LABEL, USER, EXPOSE, HEALTHCHECK,
# ENTRYPOINT, CMD).
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit --loglevel=warn
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:${NODE_VERSION}-slim AS runtime
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="cratedb-cloud-exporter" \
      org.opencontainers.image.description="Prometheus exporter for CrateDB Cloud" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.documentation="docs/deployment.md"
# Listening on every interface is what a container needs; `demo` and `run` both read this.
# Credentials are never baked in: pass CRATEDB_CLOUD_API_KEY(_FILE) and CRATEDB_CLOUD_API_SECRET(_FILE)
# at run time, preferably as mounted files.
# A 2 MiB young generation is collected more often: streaming a large organization's metrics body
# then leaves little garbage behind (BENCHMARKS.md, section 4, measures both ways).
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-semi-space-size=2" \
    CRATEDB_CLOUD_EXPORTER_REVISION="${REVISION}" \
    CRATEDB_CLOUD_EXPORTER_WEB_LISTEN_ADDRESS=":9863"
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-fund --no-audit --loglevel=warn && npm cache clean --force
COPY --from=build /app/dist ./dist
# Files stay owned by root and read-only to the process; it needs no writable path.
USER 65532:65532
EXPOSE 9863
# No curl or wget in the image: Node's own fetch probes the port named in the listen address.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "const a=process.env.CRATEDB_CLOUD_EXPORTER_WEB_LISTEN_ADDRESS||':9863';fetch('http://127.0.0.1:'+a.slice(a.lastIndexOf(':')+1)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["run"]
