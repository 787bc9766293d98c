from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsqm.accounts.roles import ORG_WIDE_ROLES, Role
from opsqm.records.models import AuditedModel


class User(AuditedModel, AbstractUser):
    """A person who logs in. Staff details (department, post) live in org.Staff."""

    full_name = models.CharField(_("姓名"), max_length=100, blank=True)
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.OPS_MANAGER)
    audit_exclude = ("password", "last_login")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_org_wide(self) -> bool:
        return self.is_superuser or self.role in ORG_WIDE_ROLES


class ExternalGrant(AuditedModel):
    """Time-limited read-only access for a customer rep, QA expert or assessor (seed 2.2.2)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_grants", verbose_name=_("外部评审账号"))
    projects = models.ManyToManyField("org.Project", blank=True, related_name="external_grants", verbose_name=_("授权项目"))
    purpose = models.CharField(_("评审事由"), max_length=200)
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("失效时间"))
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("授权人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("外部评审授权")
        verbose_name_plural = _("外部评审授权")
        constraints = [models.CheckConstraint(condition=Q(valid_until__gt=models.F("valid_from")), name="grant_window_positive")]

    def __str__(self) -> str:
        return f"{self.user} · {self.purpose}"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.valid_from <= now < self.valid_until
