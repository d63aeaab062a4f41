"""/api/v1/notifications/ routes."""

from django.urls import path

from makrx.notifications import views

urlpatterns = [
    path("", views.NotificationListApi.as_view(), name="notification-list"),
    path("read-all/", views.NotificationReadAllApi.as_view(), name="notification-read-all"),
    path("preferences/", views.NotificationPreferencesApi.as_view(), name="notification-preferences"),
    path("<int:pk>/read/", views.NotificationReadApi.as_view(), name="notification-read"),
]
