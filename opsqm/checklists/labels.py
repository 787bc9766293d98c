"""Translatable display labels for the inspection areas of opsqm.core.checklists.

The core engine keeps plain Chinese labels (it has no Django dependency); the web layer
shows these lazily translated ones instead, with exactly the same keys.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from opsqm.core import checklists as core

PROJECT_AREAS = {
    "delivery_plan": gettext_lazy("交付计划"),
    "resource_allocation": gettext_lazy("资源配置"),
    "delivery_process": gettext_lazy("交付过程"),
    "emergency_response": gettext_lazy("应急响应"),
    "service_report": gettext_lazy("服务报告"),
    "customer_visit": gettext_lazy("客户回访"),
    "project_meeting": gettext_lazy("项目例会"),
    "sla_attainment": gettext_lazy("SLA 达成"),
    "acceptance": gettext_lazy("项目验收"),
    "payment_collection": gettext_lazy("项目回款"),
}
ORG_QA_AREAS = {
    "hr": gettext_lazy("人力资源"),
    "post_structure": gettext_lazy("岗位结构"),
    "knowledge": gettext_lazy("知识"),
    "skills": gettext_lazy("技能"),
    "technology": gettext_lazy("技术"),
    "process": gettext_lazy("过程"),
    "delivery": gettext_lazy("交付"),
    "emergency": gettext_lazy("应急"),
}
# Any area added to the core engine but not here still shows (untranslated) rather than vanishing.
PROJECT_AREAS = {key: PROJECT_AREAS.get(key, label) for key, label in core.PROJECT_AREAS.items()}
ORG_QA_AREAS = {key: ORG_QA_AREAS.get(key, label) for key, label in core.ORG_QA_AREAS.items()}
AREA_LABELS = {**ORG_QA_AREAS, **PROJECT_AREAS}
