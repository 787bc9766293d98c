from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opsqm.accounts.roles import Role
from opsqm.audits.models import Audit, AuditKind, AuditMode, AuditProgram, ConclusionRating, ItemResult
from opsqm.forms_base import StyledFormMixin

AUDITOR_ROLES = (Role.AUDITOR, Role.QUALITY_MANAGER, Role.QUALITY_SPECIALIST, Role.MGMT_REP)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return gettext("%(name)s（%(role)s）") % {"name": obj.display_name, "role": obj.get_role_display()}


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return gettext("%(name)s（%(role)s）") % {"name": obj.display_name, "role": obj.get_role_display()}


class VersionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return gettext("%(ref)s %(name)s（v%(n)s，%(count)s 条）") % {
            "ref": obj.template.ref_id,
            "name": obj.template.name,
            "n": obj.number,
            "count": obj.item_count,
        }


class ProgramForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AuditProgram
        fields = ["year", "title", "objectives"]
        widgets = {"objectives": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"objectives": _("写明审核目的、范围、频次（年中、年末各一次）、资源与人员安排。")}


class DecisionForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AuditPlanForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=AuditKind.choices)
    mode = forms.ChoiceField(label=_("方式"), choices=AuditMode.choices, initial=AuditMode.ROUTINE)
    program = forms.ModelChoiceField(
        label=_("年度内审方案"),
        queryset=AuditProgram.objects.all(),
        required=False,
        help_text=_("内部审核必须选择；方案经总经办批准后审核才能开始。"),
    )
    title = forms.CharField(label=_("名称"), max_length=200)
    criteria = forms.CharField(
        label=_("审核准则"),
        widget=forms.Textarea(attrs={"rows": 2}),
        initial="GB/T 28827.1《信息技术服务 运行维护 第1部分：通用要求》；公司运维服务管理手册",
    )
    objectives = forms.CharField(label=_("审核目的"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    planned_start = forms.DateField(label=_("计划开始"), widget=DATE)
    planned_end = forms.DateField(label=_("计划结束"), widget=DATE)
    scope_org = forms.BooleanField(label=_("组织级范围（全公司管理体系）"), required=False)
    departments = forms.ModelMultipleChoiceField(label=_("受审核部门"), queryset=None, required=False)
    projects = forms.ModelMultipleChoiceField(label=_("受审核项目（抽样）"), queryset=None, required=False)
    checklists = VersionChoiceField(
        label=_("检查单"), queryset=None, help_text=_("可选多份；项目级检查时每份检查单对每个受检项目各用一次。")
    )
    lead = UserChoiceField(label=_("审核组长"), queryset=None)
    members = UserMultipleChoiceField(label=_("内审员"), queryset=None, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Offered when creating: the open annual-plan activity this audit fulfils (opsqm.plans).
    plan_activity = forms.ModelChoiceField(
        label=_("完成年度质量计划活动"), queryset=None, required=False, help_text=_("选择后，审核创建即登记为该计划活动的完成记录。")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from opsqm.checklists.models import ChecklistVersion
        from opsqm.plans.models import ActivityStatus, PlanActivity, PlanStatus

        self.fields["plan_activity"].queryset = (
            PlanActivity.objects.filter(plan__status=PlanStatus.APPROVED).exclude(status=ActivityStatus.DONE).order_by("due_date")
        )
        self.fields["plan_activity"].empty_label = _("请选择")
        from opsqm.org.models import Department, Project

        people = get_user_model().objects.filter(is_active=True, role__in=AUDITOR_ROLES).order_by("role", "username")
        self.fields["departments"].queryset = Department.objects.all()
        self.fields["projects"].queryset = Project.objects.select_related("customer").order_by("code")
        self.fields["checklists"].queryset = (
            ChecklistVersion.objects.filter(template__active=True, template__current_version_id=F("pk"))
            .select_related("template")
            .order_by("template__ref_id")
        )
        self.fields["lead"].queryset = people
        self.fields["members"].queryset = people
        self.fields["program"].queryset = AuditProgram.objects.order_by("-year")
        for name in ("projects", "checklists", "members", "departments"):
            self.fields[name].widget.attrs["size"] = 8 if name != "departments" else 5

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("计划结束日期不能早于开始日期。"))
        return data

    def checklist_pairs(self) -> list[tuple[Any, Any]]:
        versions = list(self.cleaned_data["checklists"])
        projects = list(self.cleaned_data["projects"])
        if self.cleaned_data["kind"] == AuditKind.PROJECT_CHECK and projects:
            return [(v, p) for p in projects for v in versions]
        return [(v, None) for v in versions]

    def apply_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class MeetingForm(StyledFormMixin, forms.Form):
    held_at = forms.DateTimeField(label=_("召开时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    location = forms.CharField(label=_("地点"), max_length=200)
    attendees = UserMultipleChoiceField(label=_("参会人员"), queryset=None, required=False)
    external_attendees = forms.CharField(label=_("其他参会人员"), max_length=500, required=False, help_text=_("系统外人员，用顿号分隔"))
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        project_people = (
            Q(managed_projects__in=audit.projects.all())
            | Q(qa_projects__in=audit.projects.all())
            | Q(project_memberships__project__in=audit.projects.all())
        )
        self.fields["attendees"].queryset = (
            get_user_model()
            .objects.filter(
                Q(audit_roles__audit=audit) | project_people | Q(role__in=(Role.QUALITY_MANAGER, Role.MGMT_REP)), is_active=True
            )
            .distinct()
            .order_by("username")
        )


class ConcludeForm(StyledFormMixin, forms.Form):
    rating = forms.ChoiceField(label=_("结论评价"), choices=ConclusionRating.choices)
    conclusion = forms.CharField(label=_("审核结论"), widget=forms.Textarea(attrs={"rows": 6}))


class ItemResultForm(forms.Form):
    result = forms.ChoiceField(choices=ItemResult.choices)
    notes = forms.CharField(required=False, widget=forms.Textarea, max_length=4000)
    nonconformity = forms.CharField(required=False, max_length=200)
    version = forms.IntegerField()


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(label=_("证据文件"))


class TemplateUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("新模板（.docx）"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
