from django.urls import path

from . import follow_views, message_views, praise_views, subscription_views, upload_views, views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.submit, name="submit"),
    path("report/sent/<str:code>/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("good-deeds/", praise_views.good_deeds, name="good_deeds"),
    path("good-deeds/new/", praise_views.praise_new, name="praise_new"),
    path("good-deeds/sent/<str:code>/", praise_views.praise_sent, name="praise_sent"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<str:code>/", views.case_page, name="case"),
    path("cases/<str:code>/follow/", follow_views.follow, name="follow"),
    path("cases/<str:code>/follow/<str:token>/", views.reporter_case, name="reporter_case"),
    path("cases/<str:code>/follow/<str:token>/rate/", views.rate, name="rate"),
    path("cases/<str:code>/follow/<str:token>/reopen/", views.reopen, name="reopen"),
    path("cases/<str:code>/follow/<str:token>/message/", message_views.reporter_message, name="reporter_message"),
    path("cases/<str:code>/messages/<str:key>/", message_views.reporter_messages, name="reporter_messages"),
    path("notifications/unsubscribe/<str:token>/", subscription_views.unsubscribe, name="unsubscribe"),
    path("notifications/unsubscribe/<str:token>/undo/", subscription_views.resubscribe, name="resubscribe"),
    path("uploads/", upload_views.upload_create, name="upload_create"),
    path("uploads/<str:upload_id>/", upload_views.upload_detail, name="upload_detail"),
    path("media/<int:pk>/public/", views.media_public, name="media_public"),
    path("media/<int:pk>/thumbnail/", views.media_thumbnail, name="media_thumbnail"),
    path("media/<int:pk>/poster/", views.media_poster, name="media_poster"),
    path("media/<int:pk>/original/", views.media_original, name="media_original"),
]
