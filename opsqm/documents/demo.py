"""Demo documents: the O&M service management manual, 8 procedures, templates and record forms with
versions (one procedure due for its periodic review, one new version awaiting approval), and last
month's supervision round whose feedback became an improvement item."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from opsqm import clock
from opsqm.demo import DemoContext
from opsqm.documents import services
from opsqm.documents.models import DocumentType
from opsqm.notifications.services import emails_suppressed

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
T = DocumentType
# code, title, type, versions [(label, change note, effective days ago or None for in review)]
DOCUMENTS = [
    ("QM-01", "运维服务管理手册", T.MANUAL, [("A/0", "首次发布", 700), ("A/1", "按 GB/T 28827.1-2022 调整能力要素章节", 300)]),
    ("QP-01", "服务级别管理程序", T.PROCEDURE, [("A/0", "首次发布", 330)]),
    ("QP-02", "事件管理程序", T.PROCEDURE, [("A/0", "首次发布", 700), ("A/1", "增加重大事件 30 分钟内通报客户的要求", 120)]),
    ("QP-03", "问题管理程序", T.PROCEDURE, [("A/0", "首次发布", 345)]),  # periodic review due in 20 days
    ("QP-04", "变更管理程序", T.PROCEDURE, [("A/0", "首次发布", 300), ("A/1", "紧急变更事后 24 小时内补审批", None)]),
    ("QP-05", "配置管理程序", T.PROCEDURE, [("A/0", "首次发布", 290)]),
    ("QP-06", "内部审核程序", T.PROCEDURE, [("A/0", "首次发布", 280)]),
    ("QP-07", "管理评审程序", T.PROCEDURE, [("A/0", "首次发布", 270)]),
    ("QP-08", "客户满意度管理程序", T.PROCEDURE, [("A/0", "首次发布", 260)]),
    ("QT-01", "服务报告模板", T.TEMPLATE, [("A/0", "首次发布", 250)]),
    ("QT-02", "巡检记录模板", T.TEMPLATE, [("A/0", "首次发布", 250)]),
    ("QR-01", "纠正措施记录表", T.RECORD_FORM, [("A/0", "首次发布", 240)]),
]


def docx_bytes(code: str, title: str, label: str, note: str) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(f"{code} {title}", level=0)
    doc.add_paragraph(f"版本：{label}    修订说明：{note}")
    for heading in ("1 目的", "2 适用范围", "3 职责", "4 工作程序", "5 相关记录"):
        doc.add_heading(heading, level=1)
        doc.add_paragraph("（示例内容）本文件规定了相关活动的要求、职责与记录，适用于公司全部运维服务项目。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def load(ctx: DemoContext) -> None:
    u = ctx.users
    readers = [u["spec_a"], u["spec_b"], u["ops_a"], u["ops_b"], u["ops_c"], u["ops_d"], u["auditor"]]
    by_code = {}
    with emails_suppressed():
        for code, title, doc_type, versions in DOCUMENTS:
            doc = services.document_create(
                actor=u["qm"],
                code=code,
                title=title,
                doc_type=doc_type,
                owner=u["qm"] if doc_type != T.PROCEDURE else u["spec_a"],
                distribution=readers if doc_type in (T.MANUAL, T.PROCEDURE) else [u["spec_a"], u["spec_b"]],
            )
            by_code[code] = doc
            for label, note, days_ago in versions:
                upload = SimpleUploadedFile(
                    f"{code}-{title}-{label.replace('/', '')}.docx", docx_bytes(code, title, label, note), content_type=DOCX
                )
                when = ctx.now - dt.timedelta(days=(days_ago or 5) + 3)
                with clock.frozen_at(when):
                    v = services.version_create(actor=u["spec_a"], document=doc, label=label, change_note=note, uploaded_file=upload)
                    v = services.version_submit(actor=u["spec_a"], version=v)
                if days_ago is None:
                    continue  # awaiting the approver
                with clock.frozen_at(when + dt.timedelta(days=2)):
                    v = services.version_approve(actor=u["mgmt"] if doc_type == T.MANUAL else u["qm"], version=v, note="同意发布")
                    v = services.version_make_effective(actor=u["qm"], version=v, effective_date=ctx.today - dt.timedelta(days=days_ago))
                for n, reader in enumerate(readers[: 5 if code != "QP-02" else 2]):  # the new QP-02 is still being read
                    if doc.distribution.filter(pk=reader.pk).exists():
                        with clock.frozen_at(ctx.now - dt.timedelta(days=max(0, days_ago - 1 - n))):
                            services.read_confirm(actor=reader, version=v)

        first_of_month = ctx.today.replace(day=1)
        last_month = (first_of_month - dt.timedelta(days=1)).replace(day=1)
        with clock.frozen_at(ctx.now - dt.timedelta(days=ctx.today.day + 20)):
            services.round_open(
                actor=u["qm"],
                period=f"{last_month:%Y-%m}",
                due_date=first_of_month - dt.timedelta(days=3),
                participants=[u["ops_a"], u["ops_b"], u["ops_c"], u["spec_b"]],
                documents=[by_code["QP-04"], by_code["QP-05"]],
            )
            f1 = services.feedback_give(
                actor=u["ops_a"],
                document=by_code["QP-05"],
                anonymous=True,
                difficulty="配置项审核要求每月全量核对，项目现场 CMDB 有 3000 多条，人手不够。",
                suggestion="改为每月抽查 10%、每季度全量核对一次。",
            )
            f2 = services.feedback_give(actor=u["ops_b"], document=by_code["QP-04"], missing="没有说明厂商远程操作时谁来监护。")
            services.feedback_give(actor=u["ops_c"], document=by_code["QP-02"], suggestion="事件升级联系人表希望能放到系统里随时查。")
        services.round_close(actor=u["qm"], round_=f1.round)
        services.feedback_accept(
            actor=u["qm"],
            feedback=f1,
            outcome="improvement",
            owner=u["spec_a"],
            due_date=ctx.today + dt.timedelta(days=45),
            target="配置审核工作量下降一半且差错率不升高",
        )
        services.feedback_reject(
            actor=u["qm"], feedback=f2, reason="厂商远程操作的监护要求已写在《变更管理程序》A/1 第 4.6 条，修订版正在审批。"
        )
    ctx.extra["documents"] = by_code
    ctx.log(f"受控文件：{len(DOCUMENTS)} 份（1 份待审批、1 份即将到期评审），体系运行反馈 3 条（1 条转为服务改进项）")
