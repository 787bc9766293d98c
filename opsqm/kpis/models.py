"""KPI targets, manually entered measures and the ticket KPI counters kept on write (C7).

Ticket KPI values are ratios of additive counters, kept in `KpiCounter` by every ticket writer
(`opsqm.kpis.counters`) with the statuses stored at each ticket's SLA cut-off; what open
tickets changed since is added when a page is read (`opsqm.kpis.open_status`), so values
follow the stored tickets and the cut-off.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsqm.core.kpi import KPI_DEFINITIONS, KpiCode
from opsqm.records.models import AuditedModel
from opsqm.records.querysets import AuditedManager

KPI_CHOICES = [(code.value, definition.name_zh) for code, definition in KPI_DEFINITIONS.items()]
MANUAL_KPIS = tuple(code for code, d in KPI_DEFINITIONS.items() if d.source == "manual")
MANUAL_KPI_CHOICES = [(code.value, KPI_DEFINITIONS[code].name_zh) for code in MANUAL_KPIS]
# Manual measures entered as a fraction (numerator ÷ denominator) rather than one value.
RATIO_MANUAL_KPIS = (KpiCode.REPORTS_ON_TIME,)


class KpiTarget(AuditedModel):
    """A target for one KPI: org-wide when `project` is empty, else for that project.

    A project without its own row uses the org row; without an org row the catalogue's
    default target applies (`opsqm.kpis.selectors.targets_for`). Rates are fractions (0.95).
    """

    kpi = models.CharField(_("指标"), max_length=32, choices=KPI_CHOICES)
    project = models.ForeignKey(
        "org.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="kpi_targets", verbose_name=_("项目")
    )
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=4)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("设定人")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    objects = AuditedManager()

    class Meta:
        ordering = ["kpi", "project_id"]
        verbose_name = _("指标目标")
        verbose_name_plural = _("指标目标")
        constraints = [
            models.UniqueConstraint(fields=["kpi", "project"], name="kpi_target_unique_project"),
            models.UniqueConstraint(fields=["kpi"], condition=Q(project__isnull=True), name="kpi_target_unique_org"),
            models.CheckConstraint(condition=Q(target__gte=0), name="kpi_target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kpi_display()} {self.target}"

    def audit_project_id(self) -> int | None:
        return self.project_id


class ManualMeasure(AuditedModel):
    """A non-ticket measure of one project in one period (month "2026-03" or quarter "2026-Q1").

    Availability is a fraction in `value` (0.998); reports on time is numerator ÷ denominator;
    major incidents and complaints are counts in `value`.
    """

    kpi = models.CharField(_("指标"), max_length=32, choices=MANUAL_KPI_CHOICES)
    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, related_name="kpi_measures", verbose_name=_("项目"))
    period = models.CharField(_("期间"), max_length=8)
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4, null=True, blank=True)
    numerator = models.PositiveIntegerField(_("分子"), null=True, blank=True)
    denominator = models.PositiveIntegerField(_("分母"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("录入人")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    objects = AuditedManager()

    class Meta:
        ordering = ["project_id", "period", "kpi"]
        verbose_name = _("手工指标")
        verbose_name_plural = _("手工指标")
        constraints = [
            models.UniqueConstraint(fields=["kpi", "project", "period"], name="manual_measure_unique_period"),
            models.CheckConstraint(condition=Q(kpi__in=[c.value for c in MANUAL_KPIS]), name="manual_measure_manual_kpi"),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(numerator__isnull=True) | Q(numerator__lte=models.F("denominator")),
                name="manual_measure_numerator_le_denominator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kpi_display()} {self.period}"

    def audit_project_id(self) -> int | None:
        return self.project_id


class KpiCounter(models.Model):
    """Ticket counters of one (project, local creation month, priority), kept on write.

    Each ticket counts with the statuses stored when its SLA was last computed (resolved ones
    are final; open ones as they stood then). Every ticket writer refreshes its project's rows
    in its own transaction (`opsqm.kpis.counters`); a reader adds the open tickets whose
    pending clock turned since, and evaluates the few created or resolved after that moment.
    """

    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, related_name="+")
    month = models.PositiveIntegerField()  # local year*100+month of creation
    priority = models.CharField(max_length=16)
    created = models.PositiveIntegerField(default=0)
    resp_met = models.PositiveIntegerField(default=0)
    resp_decided = models.PositiveIntegerField(default=0)
    res_met = models.PositiveIntegerField(default=0)
    res_decided = models.PositiveIntegerField(default=0)
    both_met = models.PositiveIntegerField(default=0)
    both_decided = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    fcr_known = models.PositiveIntegerField(default=0)
    fcr_yes = models.PositiveIntegerField(default=0)
    res_seconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "month", "priority"], name="kpi_counter_unique_cell")]
        indexes = [models.Index(fields=["month"], name="kpi_counter_month")]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.month} · {self.priority}"
