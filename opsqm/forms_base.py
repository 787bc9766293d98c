"""Bootstrap styling for every form, so templates can render `{{ field }}` as is.

Also replaces Django's `---------` empty choice with 请选择, and marks multiple selects so
`static/opsqm/multiselect.js` turns them into searchable pickers.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

DASHES = "---------"
EMPTY_LABEL = _("请选择")


def _friendly_empty_choice(field: forms.Field) -> None:
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DASHES:
            field.empty_label = EMPTY_LABEL
    elif isinstance(field, forms.ChoiceField):
        choices = list(field.choices)
        if any(label == DASHES for _value, label in choices if not isinstance(label, (list, tuple))):
            field.choices = [(value, EMPTY_LABEL if label == DASHES else label) for value, label in choices]


class PickerSelectMultiple(forms.SelectMultiple):
    """A multiple select that layout.js turns into a searchable picker; people show department · post."""

    def optgroups(self, name: str, value: Any, attrs: Any = None) -> Any:
        self._subs = _people_subtitles(getattr(self.choices, "queryset", None))
        return super().optgroups(name, value, attrs)

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int, subindex: Any = None, attrs: Any = None) -> dict:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        sub = getattr(self, "_subs", {}).get(getattr(value, "value", value))
        if sub:
            option["attrs"]["data-sub"] = sub
        return option


def _people_subtitles(queryset: Any) -> dict[Any, str]:
    """{user pk: "部门 · 岗位"} in one query, for a queryset of users (else empty)."""
    from django.contrib.auth import get_user_model

    if queryset is None or queryset.model is not get_user_model():
        return {}
    from opsqm.org.models import Staff

    rows = Staff.objects.filter(user__in=queryset.values("pk")).values_list("user_id", "department__name", "post__name")
    return {uid: " · ".join(x for x in (dept, post) if x) for uid, dept, post in rows}


TEXTAREA_MAX = 4000  # a note, a cause or minutes fit easily; a pasted log does not


def _limit_long_text(field: forms.CharField) -> None:
    """Every long text gets a length limit (server-checked) and a counter (static/opsqm/forms.js)."""
    if not field.max_length:
        field.max_length = TEXTAREA_MAX
        field.validators.append(MaxLengthValidator(TEXTAREA_MAX))
    field.widget.attrs["maxlength"] = str(field.max_length)
    field.widget.attrs["data-counter"] = "1"


def style_widgets(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        _friendly_empty_choice(field)
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            # Choice groups: Django puts the class on the wrapper <div> and on each input, so a Bootstrap
            # input class would squeeze the wrapper to 1em (one character per line). app.css styles both.
            widget.attrs["class"] = "choice-group"
            continue
        elif isinstance(widget, (forms.CheckboxInput,)):
            css = "form-check-input"
        elif isinstance(widget, forms.SelectMultiple):
            css = "form-select"
            if type(widget) is forms.SelectMultiple:
                picker = PickerSelectMultiple(attrs=widget.attrs, choices=widget.choices)
                picker.is_required = widget.is_required
                field.widget = widget = picker
            widget.attrs.pop("size", None)
            widget.attrs.setdefault("data-multiselect", "1")
        elif isinstance(widget, forms.Select):
            css = "form-select"
        elif isinstance(widget, forms.HiddenInput):
            continue
        else:
            css = "form-control"
            if isinstance(widget, forms.Textarea) and isinstance(field, forms.CharField):
                _limit_long_text(field)
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            classes.append(css)
        widget.attrs["class"] = " ".join(c for c in classes if c != "form-control" or css == "form-control")


class StyledFormMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[misc]
        style_widgets(self)  # type: ignore[arg-type]
