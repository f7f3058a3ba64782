FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
RUN useradd --create-home --uid 10001 tracker

# The runtime only: requirements-dev.txt (tests, lint, the data set generator's numpy) stays out of the image.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# The key exists only for this one command and is not kept in the image: settings
# refuse to load without one when DEBUG is off, and collectstatic needs settings.
RUN SECRET_KEY=collectstatic-at-build-time-only DEBUG=0 python manage.py collectstatic --noinput \
    && mkdir -p /app/var \
    && chown -R tracker:tracker /app/var /app/staticfiles

USER tracker
EXPOSE 8000
CMD ["gunicorn", "tracker.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
