# Build: compile src/ into dist/ (scripts/build.mjs, esbuild).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN node scripts/build.mjs

# Run: production dependencies and the compiled service and CLI; no TypeScript sources.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY bin ./bin
USER node
ENV CERTLEDGER_DATA_DIR=/data
CMD ["node", "dist/main.js"]
