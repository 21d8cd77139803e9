# FusionFlow: one image for the API, the workers and migrations.
# The canvas is built with Node, then baked into the wheel (setup.py copies web/dist and
# graphs/ into the package), and only the wheel is installed in the final image.
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.11-slim-bookworm AS wheel
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY orchestrator/ orchestrator/
COPY nodes/ nodes/
COPY graphs/ graphs/
COPY --from=web /src/web/dist/ web/dist/
RUN pip wheel --no-cache-dir --no-deps -w /wheels .

FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=wheel /wheels/ /wheels/
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
ENV FUSIONFLOW_HOME=/data
WORKDIR /data
EXPOSE 8000
CMD ["fusionflow", "serve", "--host", "0.0.0.0", "--port", "8000"]
