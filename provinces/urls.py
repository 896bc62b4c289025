from django.urls import path

from . import views

app_name = "provinces"

urlpatterns = [
    path("api/provinces.json", views.provinces_json, name="provinces_json"),
]
