# The bot in a container: `docker compose up -d` (compose.yaml) runs it with PostgreSQL.
# Build alone: docker build -t danhgia .   Run: docker run --env-file .env danhgia
FROM python:3.11-slim

# pg_dump and pg_restore for `admin backup` and `admin restore` on PostgreSQL (Debian 12's
# client is version 15, as compose.yaml's server)
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    XDG_DATA_HOME=/data \
    LOG_FORMAT=json

# A user of its own, without a shell or a password; /data is the volume of the SQLite
# database (when DATABASE_URL names none) and of the backups: /data/danhgia/
RUN groupadd --system --gid 10001 danhgia \
    && useradd --system --uid 10001 --gid danhgia --home-dir /home/danhgia --create-home \
       --shell /usr/sbin/nologin danhgia \
    && mkdir -p /data/danhgia \
    && chown -R danhgia:danhgia /data

WORKDIR /app
# The project with its pinned dependencies (pyproject.toml); the compiled catalogues
# (locales/*/LC_MESSAGES/*.mo) and the migrations are in the repository and the package.
COPY pyproject.toml README.md ./
COPY core core
COPY locales locales
COPY storage storage
COPY papers papers
COPY handlers handlers
COPY cycle cycle
COPY delivery delivery
COPY bot bot
RUN pip install --no-compile . && rm -rf build *.egg-info

USER danhgia
WORKDIR /home/danhgia
VOLUME ["/data"]
# the webhook and its GET /health (WEBHOOK_LISTEN=0.0.0.0:8080); polling needs no port
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "admin", "health"]
# `docker run danhgia` runs the bot; `docker run danhgia admin backup` an admin command
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
