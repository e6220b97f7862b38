FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
USER node
ENV CERTLEDGER_DATA_DIR=/data
CMD ["npx", "tsx", "src/main.ts"]
