"""Settings come from the environment: the embedded default needs none, production refuses to start without
its secrets and passes Django's deployment checks once they are given."""

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Whatever the machine running the tests has set must not leak into these runs.
SCRUBBED = (
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_DEBUG",
    "SECRET_KEY",
    "CONTACT_ENCRYPTION_KEYS",
    "LEDGER_SIGNING_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "S3_BUCKET",
    # Set by the browser tests for Playwright's event loop; production never has it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def production_env(**overrides):
    env = {
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CONTACT_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "LEDGER_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
        "ALLOWED_HOSTS": "huesmart.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://huesmart.example.org",
        "SITE_URL": "https://huesmart.example.org",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def manage(*args, env):
    base = {name: value for name, value in os.environ.items() if name not in SCRUBBED}
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_embedded_default_starts_with_no_environment_at_all():
    result = manage("check", env={})

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_pass_the_deployment_checks_without_a_single_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env=production_env(SECRET_KEY=None))

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DJANGO_DEBUG is false." in result.stderr


def test_production_refuses_to_start_with_the_embedded_contact_key():
    result = manage("check", env=production_env(CONTACT_ENCRYPTION_KEYS=None))

    assert result.returncode != 0
    assert "CONTACT_ENCRYPTION_KEYS must be set when DJANGO_DEBUG is false." in result.stderr


def test_production_refuses_to_start_with_the_embedded_ledger_key():
    result = manage("check", env=production_env(LEDGER_SIGNING_KEY=None))

    assert result.returncode != 0
    assert "LEDGER_SIGNING_KEY must be set when DJANGO_DEBUG is false." in result.stderr


def test_every_variable_the_settings_read_is_documented_in_the_readme():
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]*)"', (ROOT / "huesmart" / "settings.py").read_text()))
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", (ROOT / "README.md").read_text(), re.MULTILINE))

    assert len(read) > 30
    assert read - documented == set()
