# FusionFlow: one image for the API, the workers and migrations.
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY orchestrator/ orchestrator/
COPY nodes/ nodes/
RUN pip install --no-cache-dir .
COPY graphs/ graphs/
COPY --from=web /src/web/dist/ web/dist/
ENV FUSIONFLOW_HOME=/data
EXPOSE 8000
CMD ["fusionflow", "serve", "--host", "0.0.0.0", "--port", "8000"]
