from django.urls import path

from . import breakdown, feeds, views

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
    # One category's, ward's or agency's figures month by month, and each dimension's matrix (breakdown.py).
    path("categories/months.csv", breakdown.matrix_csv, {"kind": "categories"}, name="categories_months"),
    path("categories/<slug:code>/", breakdown.member_page, {"kind": "categories"}, name="category"),
    path("wards/months.csv", breakdown.matrix_csv, {"kind": "wards"}, name="wards_months"),
    path("wards/<slug:code>/", breakdown.member_page, {"kind": "wards"}, name="ward"),
    path("agencies/months.csv", breakdown.matrix_csv, {"kind": "agencies"}, name="agencies_months"),
    path("agencies/<slug:code>/", breakdown.member_page, {"kind": "agencies"}, name="agency"),
]
