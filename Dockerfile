# syntax=docker/dockerfile:1
# Image of the sponsored-agents service. Three stages: `build` compiles TypeScript with every
# dependency, `prod-deps` installs production dependencies only, and the final stage holds just
# dist/, package*.json and those node_modules, owned by root and world-readable, and run as uid/gid
# 10001 (an id no host account has), so the process cannot modify its own code.
#
#   docker build -t sponsored-agents .
#   docker run --rm -p 3000:3000 -p 9464:9464 -e MONGODB_URI=... -e ADMIN_TOKEN=... sponsored-agents
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
# --max-semi-space-size: under a container memory limit Node sizes V8's young generation from it
# (512Mi gives semi-spaces of 1 MB), so short-lived request garbage is scavenged every few hundred
# requests and some of it promoted. 8 MB semi-spaces cut the service's CPU per request by roughly a
# fifth at a few MB of RSS (bench/README.md, measured in a 512 MiB cgroup). The chart can override
# NODE_OPTIONS through config.extraEnv.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=8 \
    PORT=3000 \
    METRICS_PORT=9464
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# By number: Kubernetes can only verify runAsNonRoot for a numeric user. It has no /etc/passwd
# entry, which the service does not need; the Helm chart runs the pods with the same ids.
USER 10001:10001
# 3000: API, health and docs; 9464: Prometheus /metrics (never routed by the public ingress).
EXPOSE 3000 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: Node is PID 1 and receives SIGTERM itself; the service handles it (drain, exit 0).
ENTRYPOINT ["node", "dist/main.js"]
