"""The shipped questionnaires of the three levels, written for an IT O&M company.

Installed by `template_install_defaults()` (migration-free: the demo and `opsqm survey-sweep`
call it; the 调查模板 page offers it when none exist). Wording is data, shown to customers as is.
"""

from __future__ import annotations

R5 = {"kind": "rating", "scale_min": 1, "scale_max": 5, "label_min": "非常不满意", "label_max": "非常满意"}
R10 = {"kind": "rating", "scale_min": 1, "scale_max": 10, "label_min": "非常不满意", "label_max": "非常满意"}


def _r(text: str, text_en: str, weight: float = 1.0, scale: dict | None = None, required: bool = True) -> dict:
    return {**(scale or R5), "text": text, "text_en": text_en, "weight": weight, "required": required}


IMPROVE = {"kind": "text", "text": "您认为我们最需要改进的是什么？", "text_en": "What should we improve most?", "required": False}

DEFAULT_TEMPLATES = [
    {
        "family": "incident-default",
        "level": "incident",
        "name": "事件回访问卷",
        "intro": "您好！您报修的问题已处理完毕。请花 1 分钟对本次服务进行评价，您的意见将帮助我们改进服务。",
        "sections": [
            (
                "本次服务评价",
                [
                    _r("响应速度：工程师响应是否及时？", "Response speed"),
                    _r("解决质量：问题是否彻底解决？", "Resolution quality", 1.5),
                    _r("工程师服务态度", "Engineer attitude"),
                    _r("对本次服务的总体满意度", "Overall satisfaction", 1.5),
                    {
                        "kind": "single",
                        "text": "问题是否一次解决？",
                        "text_en": "Solved at first contact?",
                        "choices": ["是", "否，又联系了多次"],
                        "required": False,
                    },
                    IMPROVE,
                ],
            ),
        ],
    },
    {
        "family": "project-default",
        "level": "project",
        "name": "项目服务满意度调查（半年）",
        "intro": "感谢贵单位对我司运维服务的支持。本问卷每半年开展一次，约需 3 分钟，结果仅用于改进服务质量。",
        "sections": [
            (
                "服务过程",
                [
                    _r("故障响应与处理的及时性", "Timeliness of incident handling", 1.5),
                    _r("故障处理的质量与彻底性", "Quality of resolution", 1.5),
                    _r("例行巡检与预防性维护的执行情况", "Routine inspection and preventive maintenance"),
                    _r("变更与发布的规范性", "Discipline of changes and releases"),
                ],
            ),
            (
                "人员与沟通",
                [
                    _r("驻场/运维工程师的技术能力", "Engineers' technical skill"),
                    _r("工程师的服务态度与职业素养", "Engineers' attitude and professionalism"),
                    _r("沟通与信息通报（重大事件、计划停机）", "Communication and notifications"),
                ],
            ),
            (
                "报告与总体",
                [
                    _r("服务报告（月报/季报）的及时性和质量", "Service reports: timeliness and quality"),
                    _r("对本项目运维服务的总体满意度", "Overall satisfaction with this project", 2.0, R10),
                    {
                        "kind": "multiple",
                        "text": "您最希望我们加强哪些方面？（可多选）",
                        "text_en": "What should we strengthen? (multiple)",
                        "choices": ["响应速度", "技术能力", "沟通通报", "服务报告", "文档管理", "安全管理"],
                        "required": False,
                    },
                    IMPROVE,
                ],
            ),
        ],
    },
    {
        "family": "customer-default",
        "level": "customer",
        "name": "年度客户满意度调查",
        "intro": "感谢贵单位一年来的信任与支持。质量部每年开展一次客户满意度调查，请对我司整体服务作出评价。",
        "sections": [
            (
                "整体评价",
                [
                    _r("服务承诺（SLA）的履行情况", "Delivery on service commitments (SLA)", 1.5),
                    _r("服务质量的稳定性", "Consistency of service quality", 1.5),
                    _r("项目经理的沟通与协调", "Project manager's communication"),
                    _r("服务改进的主动性", "Initiative in improving the service"),
                    _r("服务报告与汇报", "Reports and reviews"),
                    {
                        **_r("总体满意度（0–100 分）", "Overall satisfaction (0–100)", 2.0),
                        "scale_min": 0,
                        "scale_max": 100,
                        "label_min": "极不满意",
                        "label_max": "非常满意",
                    },
                    {
                        "kind": "single",
                        "text": "是否愿意继续与我司合作或推荐我司？",
                        "text_en": "Would you renew or recommend us?",
                        "choices": ["愿意", "视情况而定", "不愿意"],
                        "required": False,
                    },
                    IMPROVE,
                ],
            ),
        ],
    },
]
