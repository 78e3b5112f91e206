from django.urls import path

from . import review, views

app_name = "cameras"

# The fixed addresses come before <code>: cameras.forms.RESERVED_CODES keeps a camera from taking them.
urlpatterns = [
    path("", views.camera_list, name="list"),
    path("new/", views.camera_new, name="new"),
    path("review/", review.review, name="review"),
    path("review/<int:pk>/", review.review_detection, name="review_detection"),
    path("review/<int:pk>/confirm/", review.review_confirm, name="review_confirm"),
    path("review/<int:pk>/dismiss/", review.review_dismiss, name="review_dismiss"),
    path("detections/<int:pk>/<slug:which>/", review.detection_evidence, name="evidence"),
    path("<slug:code>/", views.camera_detail, name="camera"),
    path("<slug:code>/snapshot/", views.camera_snapshot, name="snapshot"),
    path("<slug:code>/zones/", views.camera_zones, name="zones"),
    path("<slug:code>/edge-secret/", views.camera_edge_secret, name="edge_secret"),
]
