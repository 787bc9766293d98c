from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opsqm.core.calendars import CalendarError, parse_slots
from opsqm.core.sla_calc import parse_targets
from opsqm.forms_base import StyledFormMixin
from opsqm.tickets.calendars import WEEKDAY_LABELS, slots_from_json, slots_text
from opsqm.tickets.models import Calendar, CalendarKind, ExceptionKind

MAX_HOLIDAY_FILE = 256 * 1024


class CalendarForm(StyledFormMixin, forms.Form):
    code = forms.SlugField(label=_("编码"), max_length=32, help_text=_("字母、数字、短横线，如 bank-6x10"))
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=CalendarKind.choices)
    time_zone = forms.CharField(label=_("时区"), max_length=64, initial="Asia/Shanghai")
    use_china_holidays = forms.BooleanField(label=_("适用国家法定节假日与调休"), required=False, initial=True)
    description = forms.CharField(label=_("说明"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, calendar: Calendar | None = None, **kwargs: Any) -> None:
        if calendar is not None:
            weekly = slots_from_json(calendar.weekly_slots)
            kwargs.setdefault("initial", {}).update(
                {
                    "code": calendar.code,
                    "name": calendar.name,
                    "kind": calendar.kind,
                    "time_zone": calendar.time_zone,
                    "use_china_holidays": calendar.use_china_holidays,
                    "description": calendar.description,
                    "version": calendar.version,
                    **{f"slots_{d}": slots_text(weekly.get(d, ())) for d in range(7)},
                }
            )
        else:
            kwargs.setdefault("initial", {}).update({f"slots_{d}": "09:00-12:00,13:30-18:00" for d in range(5)})
        super().__init__(*args, **kwargs)
        for day, label in enumerate(WEEKDAY_LABELS):
            self.fields[f"slots_{day}"] = forms.CharField(
                label=_("%(d)s工作时段") % {"d": label},
                required=False,
                help_text=_("如 09:00-12:00,13:30-18:00；留空表示休息"),
                widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "09:00-12:00,13:30-18:00"}),
            )
        if calendar is not None:
            self.fields["code"].disabled = True
        # Time zones as people say them (北京时间 (UTC+8)); a stored zone outside the list stays selectable.
        from opsqm.help.templatetags.ui_tags import tz_choices

        zones = tz_choices()
        current = self.initial.get("time_zone")
        if current and current not in dict(zones):
            zones.append((current, current))
        self.fields["time_zone"].widget = forms.Select(choices=zones, attrs={"class": "form-select"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        weekly = {}
        for day in range(7):
            try:
                weekly[day] = parse_slots(data.get(f"slots_{day}", "") or "")
            except CalendarError as exc:
                self.add_error(f"slots_{day}", "；".join(exc.errors))
        if data.get("kind") == CalendarKind.WEEKLY and weekly and not any(weekly.values()) and not self.errors:
            raise forms.ValidationError(_("按周时段的日历至少要有一天有工作时段。"))
        data["weekly"] = weekly
        return data


class CalendarExceptionForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("类型"), choices=ExceptionKind.choices)
    note = forms.CharField(label=_("说明"), max_length=100, required=False)


class HolidayImportForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("节假日安排"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "placeholder": "2027-01-01 休 元旦\n2027-02-06~2027-02-13 休 春节\n2027-02-14 班"}),
        help_text=_("每行一个日期或区间，后跟“休”或“班”，可加备注；# 开头为注释。"),
    )
    file = forms.FileField(label=_("或上传 .txt / .csv 文件"), required=False)
    source_note = forms.CharField(label=_("来源说明"), max_length=300, required=False, help_text=_("如：国办发明电〔2026〕X 号"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload:
            name = upload.name.lower()
            if not name.endswith((".txt", ".csv")):
                raise forms.ValidationError(_("只能上传 .txt 或 .csv 文件。"))
            if upload.size > MAX_HOLIDAY_FILE:
                raise forms.ValidationError(_("文件太大（上限 256 KB），节假日安排通常只有几十行。"))
            raw = upload.read()
            if b"\x00" in raw:
                raise forms.ValidationError(_("文件不是文本文件。"))
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    data["text"] = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            data["text"] = data["text"].replace(",", " ") if name.endswith(".csv") else data["text"]
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("请粘贴节假日安排，或上传文件。"))
        return data


def format_duration(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    minutes = rest // 60
    if hours and minutes:
        return f"{hours}h{minutes}m"
    return f"{hours}h" if hours else f"{minutes}m"


class SlaAgreementForm(StyledFormMixin, forms.Form):
    calendar = forms.ModelChoiceField(label=_("业务日历"), queryset=Calendar.objects.all(), empty_label=None)
    pause_statuses = forms.CharField(
        label=_("暂停计时的状态"), required=False, help_text=_("以逗号分隔，如：挂起,等待客户。导入文件中的“挂起时段”列直接作为暂停。")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    ROWS = 6

    def __init__(self, *args: Any, agreement: Any = None, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        priorities = list(agreement.priorities.all()) if agreement else []
        if agreement:
            initial.update(
                {"calendar": agreement.calendar_id, "pause_statuses": ",".join(agreement.pause_statuses), "version": agreement.version}
            )
        else:
            initial.setdefault("calendar", Calendar.objects.filter(code="cn-5x8").values_list("pk", flat=True).first())
            defaults = parse_targets("P1=30m/4h,P2=2h/8h,P3=4h/24h,P4=8h/40h")
            names = {"P1": _("紧急"), "P2": _("高"), "P3": _("中"), "P4": _("低")}
            priorities = [
                type("P", (), {"code": c, "name": names[c], "response_seconds": r, "resolution_seconds": s})
                for c, (r, s) in defaults.items()
            ]
        super().__init__(*args, **kwargs)
        for i in range(self.ROWS):
            p = priorities[i] if i < len(priorities) else None
            self.fields[f"p{i}_code"] = forms.CharField(required=False, max_length=16, initial=p.code if p else "")
            self.fields[f"p{i}_name"] = forms.CharField(required=False, max_length=50, initial=p.name if p else "")
            self.fields[f"p{i}_response"] = forms.CharField(required=False, initial=format_duration(p.response_seconds) if p else "")
            self.fields[f"p{i}_resolution"] = forms.CharField(required=False, initial=format_duration(p.resolution_seconds) if p else "")
            for suffix in ("code", "name", "response", "resolution"):
                self.fields[f"p{i}_{suffix}"].widget.attrs["class"] = "form-control form-control-sm"

    def priority_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"p{i}_{s}"] for s in ("code", "name", "response", "resolution")] for i in range(self.ROWS)]

    def clean(self) -> dict[str, Any]:
        from opsqm.tickets.services import PriorityData

        data = super().clean()
        rows = []
        for i in range(self.ROWS):
            code = (data.get(f"p{i}_code") or "").strip()
            if not code:
                continue
            try:
                ((resp, resol),) = parse_targets(f"{code}={data.get(f'p{i}_response') or ''}/{data.get(f'p{i}_resolution') or ''}").values()
            except ValueError as exc:
                self.add_error(f"p{i}_response", str(exc))
                continue
            if resp <= 0 or resol <= 0:
                self.add_error(f"p{i}_response", _("%(c)s 的响应和解决时限都必须填写且大于 0。") % {"c": code})
                continue
            rows.append(PriorityData(code, (data.get(f"p{i}_name") or code).strip(), resp, resol))
        if not rows and not self.errors:
            raise forms.ValidationError(_("至少填写一个优先级。"))
        data["priorities"] = rows
        data["pause_list"] = [s.strip() for s in (data.get("pause_statuses") or "").replace("，", ",").split(",") if s.strip()]
        return data


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("工单文件"), help_text=_(".csv（UTF-8、UTF-16、GBK 或 Big5）或 .xlsx，第一行为表头"))
    preset = forms.ChoiceField(label=_("文件格式预设"))
    encoding = forms.ChoiceField(
        label=_("文件编码（CSV）"), required=False, initial="auto", help_text=_("一般选“自动识别”；繁体中文 Big5 文件请选择 Big5")
    )
    profile = forms.ChoiceField(label=_("已保存的列映射"), required=False)

    def __init__(self, *args: Any, presets: dict, profiles: list, **kwargs: Any) -> None:
        from opsqm.core.ticket_io import ENCODINGS

        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [(code, p.name) for code, p in presets.items()]
        self.fields["encoding"].choices = [(code, _(label)) for code, label in ENCODINGS.items()]
        self.fields["profile"].choices = [("", _("不使用"))] + [(str(p.pk), p.name) for p in profiles]
