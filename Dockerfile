# MakrX web / worker / beat image. One image, three commands (see docker-compose.yml).
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Runtime libraries only: libpq for psycopg (the binary wheel bundles its own, this keeps
# the pure-Python fallback working), curl-free healthcheck uses Python itself.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 makrx \
    && useradd --system --uid 10001 --gid makrx --home-dir /app --shell /usr/sbin/nologin makrx

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=makrx:makrx . .

# collectstatic needs settings to import; give it a throwaway production environment that
# is never used at runtime (the real one comes from the container's env / .env).
RUN ENVIRONMENT=production \
    SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789abcdef \
    DEBUG=false \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build:build@build.invalid:5432/build \
    ENV_FILE=/nonexistent \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media /tmp/prometheus \
    && chown -R makrx:makrx /app/staticfiles /app/media /tmp/prometheus

USER makrx:makrx
EXPOSE 8000

# Liveness only (no dependency checks). The Host header must be one Django accepts.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; u.urlopen(u.Request('http://127.0.0.1:8000/health/live', headers={'Host': h}), timeout=4)" || exit 1

CMD ["gunicorn", "-c", "gunicorn.conf.py", "makrx.wsgi:application"]
