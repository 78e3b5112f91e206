from django.urls import path

from . import views

app_name = "agencies"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("cases/<str:code>/", views.case_detail, name="case"),
    path("cases/<str:code>/accept/", views.accept, name="accept"),
    path("cases/<str:code>/return/", views.return_case, name="return"),
    path("cases/<str:code>/progress/", views.progress, name="progress"),
    path("cases/<str:code>/resolve/", views.resolve, name="resolve"),
    path("cases/<str:code>/note/", views.note, name="note"),
]
