# syntax=docker/dockerfile:1
# Image of cratedb-cloud-exporter. Build from the repository root:
#   docker build --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" -t cratedb-cloud-exporter .
# test/deploy/dockerfile-steps.test.ts replays these steps without a Docker engine: keep to the
# instructions it understands (ARG, FROM, WORKDIR, COPY, RUN, ENV, LABEL, USER, EXPOSE, HEALTHCHECK,
# ENTRYPOINT, CMD).
#
# The base image is a tag by default, which moves with every Node.js patch release. To build the same
# image twice, pin it by digest (docs/deployment.md, "Pinning the base image"):
#   docker buildx imagetools inspect node:24-bookworm-slim          # "Digest: sha256:..." of the index
#   docker build --build-arg NODE_IMAGE=node:24-bookworm-slim@sha256:<digest> ...
# Every stage starts from this one image so the Node.js that builds is the Node.js that runs.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit --loglevel=warn
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Production dependencies are installed here, not in the final stage, which has no npm to run.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-fund --no-audit --loglevel=warn

FROM ${NODE_IMAGE} AS runtime
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
# glibc's allocator, told to keep two arenas instead of eight per core and to mmap every block of
# 128 KiB or more (instead of raising that threshold as large Buffers are freed), hands the memory of
# a poll's large Buffers back to the system instead of keeping it in fragmented arenas: 15-25 MiB less
# peak RSS on a 1,000-cluster organization (BENCHMARKS.md, section 4, measures with and without). The
# garbage collector's settings are the program's own (src/cli/heap-tuning.ts).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    CRATEDB_CLOUD_EXPORTER_REVISION="${REVISION}" \
    CRATEDB_CLOUD_EXPORTER_WEB_LISTEN_ADDRESS=":9863"
# The exporter needs node and nothing else: npm, npx, corepack and yarn go, so nothing in the
# running container can fetch or run packages. Paths are relative to WORKDIR / so the replay in
# test/deploy removes them from its stand-in root, never from the machine it runs on. The step fails
# unless node is where the official images put it: a base image with another layout cannot keep its
# package managers unnoticed.
WORKDIR /
RUN test -x usr/local/bin/node \
 && rm -rf usr/local/lib/node_modules/npm usr/local/lib/node_modules/corepack \
      usr/local/bin/npm usr/local/bin/npx usr/local/bin/corepack \
      usr/local/bin/yarn usr/local/bin/yarnpkg opt/yarn-v* \
 && test ! -e usr/local/bin/npm
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Files stay owned by root and read-only to the process; it needs no writable path.
USER 65532:65532
EXPOSE 9863
# No curl or wget in the image: Node's own fetch probes the port named in the listen address.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "const a=process.env.CRATEDB_CLOUD_EXPORTER_WEB_LISTEN_ADDRESS||':9863';fetch('http://127.0.0.1:'+a.slice(a.lastIndexOf(':')+1)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["run"]
