from django.urls import include, path

from . import api_keys, areas, case_list, media_views, routing_views, sla_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.triage, name="triage"),
    path("cases/", case_list.cases, name="cases"),
    path("cases/<str:code>/", views.case_detail, name="case"),
    *(path(f"cases/<str:code>/{name}/", views.step, {"name": name}, name=name) for name in views.STEPS),
    path("cases/<str:code>/claim/", views.claim, name="claim"),
    path("cases/<str:code>/release/", views.release, name="release"),
    path("bulk/", views.bulk, name="bulk"),
    path("sla/", sla_views.sla_monitor, name="sla"),
    *(
        path(f"sla/<str:code>/{name}/", sla_views.sla_nudge, {"name": name}, name=f"sla_{name}")
        for name in sla_views.SLA_NUDGES
    ),
    path("cases/<str:code>/reveal/", views.reveal, name="reveal"),
    path("cases/<str:code>/message/", views.message, name="message"),
    path("media/<int:pk>/", media_views.media_detail, name="media"),
    path("media/<int:pk>/boxes/", media_views.media_boxes, name="media_boxes"),
    path("media/<int:pk>/withhold/", media_views.media_withhold, name="media_withhold"),
    path("media/<int:pk>/release/", media_views.media_release, name="media_release"),
    path("media/<int:pk>/preview.jpg", media_views.media_preview, name="media_preview"),
    path("media/<int:pk>/public/", media_views.media_variant, name="media_variant"),
    path("rules/", routing_views.rules, name="rules"),
    path("rules/new/", routing_views.rule_edit, name="rule_new"),
    path("rules/<int:pk>/", routing_views.rule_edit, name="rule"),
    path("rules/<int:pk>/delete/", routing_views.rule_delete, name="rule_delete"),
    path("categories/", routing_views.categories, name="categories"),
    path("categories/<slug:code>/auto-assign/", routing_views.category_auto_assign, name="category_auto_assign"),
    path("categories/<slug:code>/auto-verify/", routing_views.category_auto_verify, name="category_auto_verify"),
    path("routing/returns/", routing_views.returns, name="returns"),
    path("areas/", areas.areas, name="areas"),
    path("areas.geojson", areas.areas_geojson, name="areas_geojson"),
    path("areas/new/", areas.area_new, name="area_new"),
    path("areas/<slug:code>/", areas.area_detail, name="area"),
    path("api-keys/", api_keys.api_keys, name="api_keys"),
    path("api-keys/new/", api_keys.api_key_new, name="api_key_new"),
    path("api-keys/<int:pk>/", api_keys.api_key_detail, name="api_key"),
    path("api-keys/<int:pk>/revoke/", api_keys.api_key_revoke, name="api_key_revoke"),
    path("cameras/", include("dashboard.cameras.urls")),
    path("classifier/", include("dashboard.classifier.urls")),
    path("overview/", include("dashboard.overview.urls")),
]
