from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.triage, name="triage"),
    path("cases/", views.cases, name="cases"),
    path("cases/<str:code>/", views.case_detail, name="case"),
    path("cases/<str:code>/verify/", views.verify, name="verify"),
    path("cases/<str:code>/reject/", views.reject, name="reject"),
    path("cases/<str:code>/merge/", views.merge, name="merge"),
    path("cases/<str:code>/assign/", views.assign, name="assign"),
    path("cases/<str:code>/note/", views.note, name="note"),
    path("cases/<str:code>/reveal/", views.reveal, name="reveal"),
]
