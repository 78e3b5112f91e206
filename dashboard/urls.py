from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.triage, name="triage"),
    path("cases/", views.cases, name="cases"),
    path("cases/<str:code>/", views.case_detail, name="case"),
    *(path(f"cases/<str:code>/{name}/", views.step, {"name": name}, name=name) for name in views.STEPS),
    path("cases/<str:code>/reveal/", views.reveal, name="reveal"),
]
