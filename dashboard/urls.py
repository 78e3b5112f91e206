from django.urls import path

from . import areas, views

app_name = "dashboard"

urlpatterns = [
    path("", views.triage, name="triage"),
    path("cases/", views.cases, name="cases"),
    path("cases/<str:code>/", views.case_detail, name="case"),
    *(path(f"cases/<str:code>/{name}/", views.step, {"name": name}, name=name) for name in views.STEPS),
    path("cases/<str:code>/reveal/", views.reveal, name="reveal"),
    path("rules/", views.rules, name="rules"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<int:pk>/", views.rule_edit, name="rule"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("categories/", views.categories, name="categories"),
    path("categories/<slug:code>/auto-assign/", views.category_auto_assign, name="category_auto_assign"),
    path("routing/returns/", views.returns, name="returns"),
    path("areas/", areas.areas, name="areas"),
    path("areas.geojson", areas.areas_geojson, name="areas_geojson"),
    path("areas/new/", areas.area_new, name="area_new"),
    path("areas/<slug:code>/", areas.area_detail, name="area"),
]
