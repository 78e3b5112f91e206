from django.contrib import admin

from .models import Camera


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "latitude", "longitude", "is_enabled"]
    list_filter = ["is_enabled"]
    search_fields = ["code", "name"]
