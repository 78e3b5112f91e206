from django.urls import path

from . import feeds, views

app_name = "transparency"

urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.map_page, name="map"),
    path("map.json", views.map_json, name="map_json"),
    path("data/", views.data_page, name="data"),
    path("data/cases.csv", views.cases_csv, name="cases_csv"),
    path("data/cases.geojson", views.cases_geojson, name="cases_geojson"),
    path("data/daily/<str:name>", views.daily_file, name="daily_file"),
    path("feeds/new.atom", feeds.NewCasesFeed(), name="feed_new"),
    path("feeds/resolved.atom", feeds.ResolvedCasesFeed(), name="feed_resolved"),
]
