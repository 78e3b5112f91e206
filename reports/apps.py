from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and cases")

    def ready(self):
        # HEIC/HEIF photos from iPhones open like any other image once the plugin is registered.
        from pillow_heif import register_heif_opener

        register_heif_opener()
