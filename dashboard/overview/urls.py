from django.urls import path

from . import views

app_name = "overview"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("map.json", views.map_json, name="map_json"),
    path("agencies/", views.agencies, name="agencies"),
    path("report/<str:year>-<str:month>.pdf", views.report, name="report"),
]
