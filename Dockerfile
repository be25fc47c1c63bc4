# The tenantry image: the operator, and the backup agent its CronJobs run (`tenantry backup`).
#   docker build -t ghcr.io/example/tenantry:0.1.0 .
# Runs as uid/gid 65532 (non-root, as Pod Security "restricted" requires) and needs nothing
# writable but /tmp, so it runs with a read-only root filesystem.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency runs code at install time. --omit=optional: the optional
# dependencies are the Node.js binaries that `npm start` and `npm test` run on where the machine has
# an older Node; the image has its own, of the same major version (package.json engines).
RUN npm ci --ignore-scripts --omit=optional
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json
# Keep only the runtime dependencies for the final image.
RUN npm ci --omit=dev --omit=optional --ignore-scripts && npm cache clean --force

FROM ${NODE_IMAGE}
# pg_dump refuses to dump a server newer than itself, and a dump made by a newer pg_dump may not
# load into an older server, so the client comes from the PostgreSQL apt repository in the major
# version of the tenants' database image (images.postgres in the configuration, postgres:16 by
# default); Debian bookworm itself ships 15. mariadb-dump reads newer servers, so Debian's suffices.
# zstd: a restore pipes each part through it into pg_restore or tar (src/backup/zstd-program.ts);
# without it the agent decompresses the parts itself, at a higher CPU cost.
ARG PG_MAJOR=16
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl; \
    install -d /usr/share/postgresql-common/pgdg; \
    curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc; \
    . /etc/os-release; \
    echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" > /etc/apt/sources.list.d/pgdg.list; \
    apt-get update; \
    apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" mariadb-client zstd; \
    apt-get purge -y --auto-remove curl; \
    rm -rf /var/lib/apt/lists/*; \
    pg_dump --version; \
    mariadb-dump --version; \
    zstd --version

ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY bin ./bin
COPY crds ./crds

USER 65532:65532
ENTRYPOINT ["node", "bin/tenantry.js"]
CMD ["--help"]
