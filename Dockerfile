# One image for every process of the stack: web (gunicorn), Celery worker and beat, migrations.
FROM python:3.11-slim

# VAR_DIR: runtime files go to a writable place outside the (root-owned) code.
# STATIC_ROOT: fixed, not under VAR_DIR, so the files collected at build time are the ones served.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=mentorship.settings \
    VAR_DIR=/tmp/var \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. Every package in the lock
# ships a wheel for Linux x86_64, so no compiler is needed. --no-deps: the lock is complete.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY . .

# Settings refuse to load without SECRET_KEY when DEBUG is off: a throwaway value for this step
# only (it is not kept in the image). Its runtime files go to a folder that is then removed.
RUN SECRET_KEY=collectstatic-build-only FIELD_ENCRYPTION_SALT=build-only VAR_DIR=/tmp/build-var \
        python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-var

RUN useradd --system --uid 10001 --no-create-home --home-dir /app app
USER app

EXPOSE 8000
# gunicorn reads WEB_CONCURRENCY for its worker count (default 1).
CMD ["gunicorn", "mentorship.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
