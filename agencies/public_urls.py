from django.urls import path

from . import public_views

app_name = "agency_stats"

urlpatterns = [
    path("", public_views.figures, name="index"),
]
