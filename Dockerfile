# Govstage as a container: built in one stage, run from the build with the
# production dependencies only, as the unprivileged "node" user.
#
#   docker build -t govstage .
#   docker run -p 3000:3000 -v govstage-data:/data govstage
#
# (compose.yaml runs it with PostgreSQL.) No Docker engine runs in CI, so
# scripts/container-smoke.ts reads this file and runs the same steps, stage
# by stage, in clean folders: keep every RUN an npm command it can repeat.

# ---- build: all dependencies, then `npm run build` into dist/ -----------------
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# ---- runtime: the build, the content, production dependencies ----------------
FROM node:20.20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY rubric ./rubric
COPY flows ./flows
COPY locales ./locales
COPY public ./public
COPY LICENSE ./
# The lowdb store's folder (unused with STORE=postgres), writable by the app user only.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself as PID 1's command (no npm, no shell), so SIGTERM from `docker stop` reaches the server, which drains.
CMD ["node", "--enable-source-maps", "dist/main.js"]
