# hookd as a container image: `docker build -t hookd .` (or podman build), then see compose.yaml.
# Stage 1 builds and packs hookd exactly as `npm pack` does for `npm install -g` (tested by
# test/deploy/pack.test.ts); stage 2 installs that package on a slim Node image, with no compiler,
# no sources and no dev dependencies, and runs it as the unprivileged `node` user.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles its addon when no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Manifests first, so that the dependency layer is reused while only the sources change.
COPY package.json package-lock.json ./
COPY packages/sdk/package.json packages/sdk/
COPY packages/web/package.json packages/web/
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild better-sqlite3 esbuild
COPY . .
# prepack builds the server, the SDK and the web app; the tarball bundles the SDK.
RUN npm pack --pack-destination /tmp \
 && npm install --global --no-audit --no-fund --allow-scripts=better-sqlite3 /tmp/hookd-*.tgz

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOOKD_HOST=0.0.0.0 \
    HOOKD_PORT=8080 \
    HOOKD_DATABASE_URL=sqlite:/data/hookd.db
COPY --from=build /usr/local/lib/node_modules/hookd /usr/local/lib/node_modules/hookd
RUN ln -s ../lib/node_modules/hookd/dist/src/main.js /usr/local/bin/hookd \
 && mkdir /data && chown node:node /data
USER node
WORKDIR /data
VOLUME /data
EXPOSE 8080
# /health answers while the process is up (/ready also needs the database: use it for load balancers).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HOOKD_PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) lets hookd finish in-flight deliveries and close the database cleanly.
STOPSIGNAL SIGTERM
CMD ["hookd", "serve"]
