"""A process that imports huesmart.wsgi is ready to serve before its first request (huesmart/warmup.py), without a
connection a fork would share; gunicorn's master freezes what it loaded before each fork (huesmart/gunicorn.conf.py)."""

import gc
import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A fresh interpreter, as gunicorn's master: import the WSGI module, then report what is loaded and what is open.
CHILD = """
import json, sys
import huesmart.wsgi
from django.core.cache import caches
from django.db import connections
from django.template import engines
from django.utils.translation import trans_real

cached = engines["django"].engine.template_loaders[0].get_template_cache
print(json.dumps({
    "modules": sorted(name for name in ("huesmart.urls", "reports.views", "dashboard.classifier.views")
                      if name in sys.modules),
    "languages": sorted(trans_real._translations),
    "templates": sorted(name for name in ("base.html", "reports/case.html") if name in cached),
    "open_databases": [c.alias for c in connections.all(initialized_only=True) if c.connection is not None],
    "caches": len(caches.all(initialized_only=True)),
}))
"""


def test_importing_the_wsgi_module_loads_views_catalogs_and_templates_and_opens_nothing():
    done = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "huesmart.settings"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded = json.loads(done.stdout.splitlines()[-1])

    assert loaded["modules"] == ["dashboard.classifier.views", "huesmart.urls", "reports.views"]
    assert {"en", "vi"} <= set(loaded["languages"])
    assert loaded["templates"] == ["base.html", "reports/case.html"]
    assert loaded["open_databases"] == []
    assert loaded["caches"] == 0


def test_the_master_freezes_what_it_loaded_before_each_fork():
    hooks = runpy.run_path(str(ROOT / "huesmart" / "gunicorn.conf.py"))
    assert gc.get_freeze_count() == 0
    try:
        hooks["pre_fork"](server=None, worker=None)

        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
