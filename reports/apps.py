from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and cases")

    def ready(self):
        # HEIC/HEIF photos from iPhones open like any other image once the plugin is registered.
        from pillow_heif import register_heif_opener

        register_heif_opener()

        # The in-process copy of the categories (reports/categories.py) is dropped when one changes.
        from django.db.models.signals import post_delete, post_save

        from . import categories
        from .models import Category

        post_save.connect(categories.forget, sender=Category, dispatch_uid="categories-forget-save")
        post_delete.connect(categories.forget, sender=Category, dispatch_uid="categories-forget-delete")
