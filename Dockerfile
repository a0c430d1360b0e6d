# Sorami: one image, both kinds of process. NOT TESTED: the machines this project is built on
# have no Docker daemon. A starting point; see "Deploy on several machines" in the README.
#
#   docker build -t sorami .
#   docker run --rm --env-file sorami.env sorami migrate                 # once per release, before the rollout
#   docker run -d --env-file sorami.env -p 3000:3000 sorami web          # a web process
#   docker run -d --env-file sorami.env -p 9006:9006 sorami generator    # a generator process
#
# sorami.env holds what every process shares (DATABASE_URL, WEBHOOK_SECRET, SERVICE_KEY,
# BETTER_AUTH_SECRET, STORAGE=s3, S3_*, AWS credentials) plus WEB_URL / GENERATOR_URL.
FROM node:22-bookworm-slim

WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY . .
# Dev dependencies are needed to build (TypeScript, Tailwind); the lockfile is followed.
RUN npm install --no-audit --no-fund && npm run build \
  && mkdir -p /data && chown -R node:node /data apps/web/.next

ENV NODE_ENV=production DATA_DIR=/data GENERATOR_HOST=0.0.0.0 PORT=3000 GENERATOR_PORT=9006
USER node
EXPOSE 3000 9006
ENTRYPOINT ["sh", "-c", "case \"$0\" in \
  web) cd apps/web && exec node ../../node_modules/next/dist/bin/next start -p \"$PORT\" ;; \
  generator) exec node --import tsx apps/generator/src/main.ts ;; \
  migrate) exec node --import tsx scripts/migrate.ts ;; \
  *) echo \"usage: web | generator | migrate\" >&2; exit 64 ;; esac"]
CMD ["web"]
