# ---- build: full dependency tree, because tsc and the type packages are dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests first, so editing source does not invalidate the dependency layer.
COPY package.json package-lock.json ./
# No package needs its install script (the Temporal and swc native binaries ship prebuilt in their packages),
# so none runs: less third-party code executed at build time.
RUN npm ci --ignore-scripts
COPY . .
# Compiled tests need dev dependencies that the runtime image does not have.
RUN npm run build && rm -rf dist/test

# ---- runtime: production dependencies and compiled JavaScript only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# bookworm (glibc) rather than alpine: the Temporal core bridge and @swc/core, which the worker uses to bundle
# workflows at start-up, ship prebuilt glibc binaries.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# Files stay root-owned, so the app cannot rewrite its own code.
USER node
EXPOSE 3000
# No HEALTHCHECK here: the api and the worker need different probes, so docker-compose.yml defines them per service.
# The worker service overrides this with `node dist/worker.js`.
CMD ["node", "dist/api/server.js"]
