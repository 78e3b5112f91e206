from django.urls import path

from . import views

app_name = "cameras"

urlpatterns = [
    path("<slug:code>/events/", views.camera_events, name="events"),
]
