"""/api/v1/: each area registers its viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from opsqm.api import views

router = DefaultRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("customers", views.CustomerViewSet, basename="customer")

urlpatterns = [path("", include(router.urls))]
