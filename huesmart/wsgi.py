import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huesmart.settings")
application = get_wsgi_application()

# Under gunicorn (preload_app) this runs once, in the master, so every worker is forked ready to serve.
from huesmart.warmup import warm_up  # noqa: E402 (needs the settings get_wsgi_application set up)

warm_up()
