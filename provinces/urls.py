from django.urls import path

from . import views

app_name = "provinces"

urlpatterns = [
    path("api/provinces.json", views.provinces_json, name="provinces_json"),
    path("tinh/<slug:slug>/", views.dashboard, name="dashboard"),
    path("tinh/<slug:slug>/progress.json", views.progress_json, name="progress_json"),
]
