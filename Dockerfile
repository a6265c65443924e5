# hotpot: one executable in a slim image.
#
# Environment (set at run time, never baked in):
#   HOTPOT_UPLOAD_TOKEN      bearer token required by POST /upload (serve --upload)
#   STRAVA_CLIENT_ID         Strava API application id (strava-auth, serve --strava-webhook)
#   STRAVA_CLIENT_SECRET     Strava API application secret
#   STRAVA_WEBHOOK_SECRET    verify token of the Strava webhook subscription
#   INTERVALS_ICU_API_KEY    intervals.icu API key (fetch intervals-icu, serve --fetch)

# --- build stage: compile the single executable --------------------------------
FROM oven/bun:1.4.5 AS build
WORKDIR /src
COPY package.json bun.lock bunfig.toml tsconfig.json ./
RUN bun install --frozen-lockfile
COPY src ./src
COPY public ./public
COPY scripts ./scripts
ARG HOTPOT_GIT_SHA=""
RUN HOTPOT_GIT_SHA="$HOTPOT_GIT_SHA" bun run build

# --- runtime stage: just the executable and a non-root user ---------------------
FROM debian:bookworm-slim
# ca-certificates for Strava and intervals.icu over HTTPS; curl for the health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data hotpot \
 && mkdir -p /data && chown hotpot /data
COPY --from=build /src/dist/hotpot /usr/local/bin/hotpot
USER hotpot
WORKDIR /data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["hotpot"]
CMD ["--db", "/data/hotpot.sqlite3", "serve", "--host", "0.0.0.0", "--port", "8080"]
