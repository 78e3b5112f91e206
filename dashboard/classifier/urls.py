from django.urls import path

from . import views

app_name = "classifier"

urlpatterns = [
    path("", views.classifier_page, name="page"),
    path("settings/", views.settings_update, name="settings"),
    path("train/", views.train, name="train"),
    path("versions/<int:version>/activate/", views.activate, name="activate"),
]
