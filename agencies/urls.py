from django.urls import path

from . import performance, views

app_name = "agencies"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("performance/", performance.performance, name="performance"),
    path("cases/<str:code>/", views.case_detail, name="case"),
    *(path(f"cases/<str:code>/{name}/", views.step, {"name": name}, name=name) for name in views.STEPS),
    path("cases/<str:code>/message/", views.message, name="message"),
]
