"""Chinese wording of the satisfaction rules (the settings page and the explanation show it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from opsqm.surveys.models import CompanyMethod, Level


def level_label(level: str) -> str:
    return str(Level(level).label)


def formula_in_words(rules: Any) -> list[str]:
    bands = rules.bands or []
    band_text = "；".join(_("≥ %(b)s 分为“%(l)s”") % {"b": f"{float(b):g}", "l": label} for b, label in bands[:-1])
    if bands:
        band_text += "；" + _("其余为“%(l)s”") % {"l": bands[-1][1]}
    return [
        _("每道评分题折算为百分制：(得分 − 最低分) ÷ (最高分 − 最低分) × 100；未作答的题不计入，文字题和选择题不计分。"),
        _("每份答卷得分 = 各评分题百分制得分按题目权重的加权平均。"),
        _(
            "项目某一层级的得分 = 该期间该层级全部答卷得分的平均值；客户级使用该项目所属客户的答卷。"
            "某层级答卷少于 %(n)d 份时记为“样本不足”，不参与计算。"
        )
        % {"n": rules.min_responses},
        _("项目满意度 = Σ（层级权重 × 层级得分）÷ Σ 有得分层级的权重；权重：事件级 %(i)s，项目级 %(p)s，客户级 %(c)s。")
        % {"i": f"{rules.weight_incident:g}", "p": f"{rules.weight_project:g}", "c": f"{rules.weight_customer:g}"},
        _("公司满意度 = 各项目满意度的平均值，加权方式：%(m)s（一份客户级答卷对该客户的每个项目各计一次）。")
        % {"m": CompanyMethod(rules.company_method).label},
        _("分档：%(bands)s。项目满意度低于 %(t)s 分时建议发起问题。") % {"bands": band_text, "t": f"{rules.threshold:g}"},
    ]
