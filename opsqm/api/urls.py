"""/api/v1/: each area registers its viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from opsqm.api import views

router = DefaultRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("customers", views.CustomerViewSet, basename="customer")

from opsqm.findings.api import FindingViewSet  # noqa: E402

router.register("findings", FindingViewSet, basename="finding")
from opsqm.audits.api import AuditViewSet  # noqa: E402

router.register("audits", AuditViewSet, basename="audit")
from opsqm.tickets.api import TicketViewSet  # noqa: E402

router.register(r"projects/(?P<project_id>[0-9]+)/tickets", TicketViewSet, basename="project-ticket")

from opsqm.checklists.api import ChecklistViewSet  # noqa: E402

router.register("checklists", ChecklistViewSet, basename="checklist")

from opsqm.surveys.api import SatisfactionViewSet, SurveyResponseViewSet  # noqa: E402

router.register("satisfaction", SatisfactionViewSet, basename="satisfaction")
router.register("survey-responses", SurveyResponseViewSet, basename="survey-response")

from opsqm.plans.api import PlanActivityViewSet, PlanViewSet  # noqa: E402

router.register("plans", PlanViewSet, basename="plan")
router.register("plan-activities", PlanActivityViewSet, basename="plan-activity")
from opsqm.quarterly.api import QuarterlyReviewViewSet  # noqa: E402

router.register("quarterly-reviews", QuarterlyReviewViewSet, basename="quarterly-review")
from opsqm.reviews.api import ManagementReviewViewSet  # noqa: E402

router.register("management-reviews", ManagementReviewViewSet, basename="management-review")
from opsqm.documents.api import DocumentViewSet  # noqa: E402

router.register("documents", DocumentViewSet, basename="document")
urlpatterns = [path("", include(router.urls))]

from opsqm.kpis.api import KpiView  # noqa: E402

urlpatterns += [path("kpis/", KpiView.as_view(), name="api-kpis")]
