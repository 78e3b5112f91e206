"""Included at "me/" by huesmart/urls.py."""

from django.urls import path

from . import views

app_name = "citizens"

urlpatterns = [
    path("", views.me, name="me"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("claim/", views.claim, name="claim"),
    path("phone-cases/", views.phone_cases, name="phone_cases"),
]
