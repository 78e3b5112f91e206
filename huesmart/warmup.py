"""Makes a process ready to serve before its first request.

Django does much of its setting up lazily, on the first request a process serves: importing every URLconf (and so
every view module and what they import, scikit-learn for the classifier among them), loading each language's
catalogs, compiling templates. That took 1.3 s before each new gunicorn worker's first answer, and gunicorn starts a
new worker every `max_requests`. huesmart/wsgi.py calls `warm_up()` at import, which under gunicorn's preload_app is
once, in the master: every worker is forked ready. Nothing here opens a database or Redis connection, which a fork
must not share (tests/platform/test_warmup.py holds both)."""

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.urls import get_resolver
from django.utils import translation


def warm_up():
    # Imports every URLconf and view module, and compiles the patterns reverse() and the resolver use.
    get_resolver().reverse_dict  # noqa: B018 (the property does the work)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("")  # loads the language's catalogs, Django's and every app's
    for name in project_templates():
        engines["django"].get_template(name)  # the cached loader keeps it compiled


def project_templates():
    """The names of the project's own templates (the TEMPLATES DIRS), not those of Django's and other apps."""
    for directory in engines["django"].engine.dirs:
        root = Path(directory)
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".html", ".txt"):
                yield path.relative_to(root).as_posix()
