# One image for web (gunicorn), worker and beat (celery); see docker-compose.yml and docs/production.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # The code runs from /app (templates, static and locale live beside it), ahead of site-packages.
    PYTHONPATH=/app

WORKDIR /app

# Dependencies first, in their own layer: rebuilt only when pyproject.toml changes. With no package folders
# copied yet, `pip install .` installs the dependencies and an empty huesmart distribution.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files are collected (hashed, compressed) and translations compiled at build time, with throwaway
# secrets: the settings refuse to load in production mode without them, and nothing here uses them.
# fonts-dejavu-core: the monthly PDF report's Vietnamese text (dashboard/monthly_report.py); it stays installed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext fonts-dejavu-core \
    && export DJANGO_DEBUG=false \
        SECRET_KEY=build-only-throwaway-secret-key-never-used-at-runtime-0000000000 \
        CONTACT_ENCRYPTION_KEYS=YnVpbGQtb25seS10aHJvd2F3YXkta2V5LW5vdC11c2U= \
        DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    && python manage.py collectstatic --noinput \
    && python manage.py compilemessages --ignore=staticfiles \
    && apt-get purge -y --auto-remove gettext \
    && rm -rf /var/lib/apt/lists/* /tmp/build.sqlite3

RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /app huesmart \
    # Resumable uploads in progress; docker-compose.yml mounts a volume here, which takes this owner.
    && mkdir -p /app/var/media/uploads && chown -R huesmart:huesmart /app/var
USER huesmart

EXPOSE 8000
CMD ["gunicorn", "--config", "huesmart/gunicorn.conf.py", "huesmart.wsgi"]
