# Production image: migrations run as the prestart step, then uvicorn serves.
# Configure with environment variables (see docs/operations.md), e.g.
#   docker run -e DATABASE_URL=postgresql://user:pw@db/panhuo -p 8000:8000 panhuo
FROM python:3.11-slim

# WEB_CONCURRENCY: uvicorn workers, one per core. Each holds its own match index (memory
# per worker) and follows the shared change log; the first one up builds the index files,
# the others load them.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PANHUO_DATABASE_URL=sqlite:////srv/panhuo/var/panhuo.db WEB_CONCURRENCY=2

RUN useradd --system --create-home --home-dir /srv/panhuo --uid 10001 panhuo
WORKDIR /srv/panhuo

# Dependencies first, so code changes don't reinstall them.
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir app matching && touch app/__init__.py matching/__init__.py \
    && pip install -c constraints.txt . && pip uninstall -y panhuo \
    && rm -rf app matching build

COPY alembic.ini ./
COPY app ./app
COPY matching ./matching
COPY migrations ./migrations
COPY data ./data
# Editable, so the app finds alembic.ini, migrations/ and data/ beside its code.
RUN pip install --no-deps -e . && mkdir -p var && chown -R panhuo var

USER panhuo
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["sh", "-c", "panhuo migrate && exec uvicorn app.main:app --host 0.0.0.0 --port 8000 --proxy-headers --timeout-worker-healthcheck 60"]
