"""The production compose file: valid for docker-compose, refuses to start without its secrets, and runs
web, worker and beat from one image next to postgres, redis and minio."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = shutil.which("docker-compose")
SECRETS = {
    "SECRET_KEY": "a-long-random-secret-key-for-the-compose-test-only-0123456789",
    "CONTACT_ENCRYPTION_KEYS": "bG9jYWwtY29tcG9zZS10ZXN0LWtleS0wMDAwMDAwMDA=",
    "LEDGER_SIGNING_KEY": "Y29tcG9zZS10ZXN0LWxlZGdlci1rZXktMDAwMDAwMDA=",
    "ALLOWED_HOSTS": "huesmart.example.org",
    "SITE_URL": "https://huesmart.example.org",
    "POSTGRES_PASSWORD": "compose-test-postgres",
    "S3_SECRET_ACCESS_KEY": "compose-test-minio",
}
# Settings the image or the wiring decides, so compose does not pass them through.
# HUESMART_BENCH_BASELINES mounts bench/'s baseline views: for `make bench` only, never in a deployment.
NOT_PASSED = {
    "STATIC_ROOT",
    "MEDIA_URL",
    "MEDIA_ROOT",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "HUESMART_BENCH_BASELINES",
}


def compose(*args, tmp_path, **variables):
    assert COMPOSE, "docker-compose is missing: `make test` installs it (apt-get install docker-compose)"
    env_file = tmp_path / "compose.env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in variables.items()))
    # Only what docker-compose needs to run: nothing from the caller's environment fills a variable.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    return subprocess.run(  # noqa: S603 (docker-compose from PATH, fixed arguments)
        [COMPOSE, "--env-file", str(env_file), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def config(tmp_path):
    result = compose("config", tmp_path=tmp_path, **SECRETS)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_file_is_valid_once_the_secrets_are_given(tmp_path):
    result = compose("config", "-q", tmp_path=tmp_path, **SECRETS)

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_compose_refuses_to_start_without_each_secret(tmp_path, missing):
    given = {name: value for name, value in SECRETS.items() if name != missing}

    result = compose("config", "-q", tmp_path=tmp_path, **given)

    assert result.returncode != 0
    assert missing in result.stderr


def test_web_worker_and_beat_run_one_image_beside_postgres_redis_and_minio(config):
    services = config["services"]

    assert {"postgres", "redis", "minio", "web", "worker", "beat"} <= set(services)
    app = [services[name] for name in ("web", "worker", "beat")]
    assert len({service["image"] for service in app}) == 1
    assert len({service["build"]["context"] for service in app}) == 1
    assert all(service["environment"] == app[0]["environment"] for service in app)
    assert "migrate" in " ".join(services["web"]["command"]) and "gunicorn" in " ".join(services["web"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "huesmart", "worker"]
    assert services["worker"]["command"][services["worker"]["command"].index("-Q") + 1] == "default,media"
    assert services["beat"]["command"][:4] == ["celery", "-A", "huesmart", "beat"]
    assert services["relay"]["command"] == ["python", "manage.py", "outbox_relay"]
    assert all("healthcheck" in services[name] for name in ("postgres", "redis", "minio", "web", "worker"))


def test_web_waits_for_the_database_the_broker_and_the_media_bucket(config):
    depends_on = config["services"]["web"]["depends_on"]

    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"
    assert depends_on["minio-init"]["condition"] == "service_completed_successfully"


def test_every_setting_read_from_the_environment_reaches_the_app_containers():
    # The declared list, not `config` output: compose versions differ in how they print unset pass-throughs.
    declared = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-app"]["environment"]
    names = {entry.split("=", 1)[0] for entry in declared}
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]*)"', (ROOT / "huesmart" / "settings.py").read_text()))

    assert read - NOT_PASSED - names == set()
    assert "DJANGO_DEBUG=false" in declared
