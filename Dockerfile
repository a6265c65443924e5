# hotpot: one executable in a slim image, serving the database on the /data volume.
#
#   docker build --build-arg HOTPOT_GIT_SHA=$(git rev-parse --short HEAD) -t hotpot .
#   docker run --rm -v hotpot-data:/data -v "$PWD/export:/import:ro" hotpot --db /data/hotpot.sqlite3 import /import
#   docker run -d -p 8080:8080 -v hotpot-data:/data --name hotpot hotpot
#
# Environment (set at run time, never baked in):
#   HOTPOT_UPLOAD_TOKEN      the owner's token: POST /upload and /fetch/intervals.icu require it, and only it shows private properties
#   HOTPOT_READ_TOKEN        when set, every request but /healthz and the Strava webhook needs it (no public heatmap)
#   HOTPOT_UPLOAD_LIMIT_MB   largest upload request in MB (default 15)
#   STRAVA_CLIENT_ID         Strava API application id (strava-auth, serve --strava-webhook)
#   STRAVA_CLIENT_SECRET     Strava API application secret
#   STRAVA_WEBHOOK_SECRET    verify token of the Strava webhook subscription
#   STRAVA_SUBSCRIPTION_ID   the subscription's id; events of other subscriptions are dropped (optional)
#   INTERVALS_ICU_API_KEY    intervals.icu API key (fetch intervals-icu, serve --fetch)
#   STRAVA_API_URL, STRAVA_OAUTH_URL, INTERVALS_ICU_API_URL
#                            other base URLs for those APIs (a proxy; the tests' fakes)
#
# tests/http/ship-executable.test.ts runs the build stage's steps as a script (there
# is no Docker engine in CI): keep them plain COPY, ARG and RUN lines.

# --- build stage: compile the single executable --------------------------------
FROM oven/bun:1.4.5 AS build
WORKDIR /src
COPY package.json bun.lock bunfig.toml tsconfig.json ./
RUN bun install --frozen-lockfile
COPY src ./src
COPY public ./public
COPY scripts ./scripts
# The image has no .git to ask for the commit `hotpot --version` shows.
ARG HOTPOT_GIT_SHA=""
RUN bun run build && ./dist/hotpot --version

# --- runtime stage: just the executable and a non-root user ---------------------
FROM debian:bookworm-slim
# curl for the health check. No CA bundle needed: Bun carries its own root certificates.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 hotpot \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home hotpot \
 && mkdir -p /data && chown 10001:10001 /data
COPY --from=build /src/dist/hotpot /usr/local/bin/hotpot
# Numeric, so platforms that check for a non-root user see one (Fly.io mounts the volume for it).
USER 10001:10001
WORKDIR /data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["hotpot"]
CMD ["--db", "/data/hotpot.sqlite3", "serve", "--host", "0.0.0.0", "--port", "8080"]
