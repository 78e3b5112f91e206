from django.contrib import admin

from .models import Camera, Detection


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "status", "last_frame_at", "is_enabled"]
    list_filter = ["is_enabled", "status"]
    search_fields = ["code", "name"]
    # The stream health and the lease belong to the detection workers; the secret is set from the centre's camera
    # page (shown once) and the pipeline state is binary.
    readonly_fields = [
        "status",
        "last_frame_at",
        "failures",
        "offline_since",
        "last_error",
        "lease_token",
        "lease_expires_at",
        "position_s",
    ]
    exclude = ["edge_secret_encrypted", "pipeline_state"]

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Only what the form changed: a full save would overwrite the lease and health the workers keep.
        fields = [name for name in form.changed_data if name not in self.readonly_fields]
        if fields:
            obj.save(update_fields=fields)


@admin.register(Detection)
class DetectionAdmin(admin.ModelAdmin):
    """Read only: detections are decided in the centre's review queue (cameras/review.py), which makes the case."""

    list_display = ["pk", "camera", "rule", "zone", "started_at", "origin", "status", "case"]
    list_filter = ["status", "rule", "origin", "camera"]
    search_fields = ["camera__code", "zone", "external_id"]
    date_hierarchy = "started_at"
    list_select_related = ["camera", "case"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
