"""Writes of the satisfaction area: templates, rules, campaigns, invitations, responses, the
incident sweep, complaints, and the findings they propose."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm import clock
from opsqm.core import satisfaction as core
from opsqm.records.codes import code_allocate
from opsqm.records.locking import bump_version, lock_for_edit
from opsqm.surveys import policy
from opsqm.surveys.models import (
    Answer,
    Campaign,
    Complaint,
    IncidentRule,
    Invitation,
    Level,
    Question,
    Response,
    SatisfactionRules,
    Section,
    SurveyTemplate,
)
from opsqm.surveys.tokens import new_nonce, token_for, token_hash

__all__ = [
    "InvalidToken",
    "rules_for_year",
    "rules_save",
    "core_rules",
    "template_new_version",
    "template_install_defaults",
    "invitation_url",
    "invitation_token",
    "campaign_create",
    "campaign_send",
    "campaign_remind",
    "campaign_close",
    "invitation_add",
    "invitation_withdraw",
    "response_submit",
    "survey_sweep",
    "complaint_create",
    "complaint_update",
    "complaint_visit",
    "complaint_close",
    "complaint_close_blocker",
    "finding_from_complaint",
    "finding_from_response",
    "finding_from_project_score",
]

IS = Invitation.Status


class InvalidToken(Exception):
    """Unknown, answered, withdrawn or expired: the caller shows one neutral page for all."""


# ---------------------------------------------------------------- rules


def rules_for_year(year: int) -> SatisfactionRules:
    """The stored rules of `year`, else the latest earlier year's, else PRODUCT.md defaults (unsaved)."""
    rules = SatisfactionRules.objects.filter(year__lte=year).order_by("-year").first()
    if rules is None:
        rules = SatisfactionRules(year=year, bands=[list(b) for b in core.DEFAULT_BANDS])
    return rules


def core_rules(rules: SatisfactionRules) -> core.Rules:
    bands = tuple((float(b), str(label)) for b, label in (rules.bands or core.DEFAULT_BANDS))
    return core.Rules(
        level_weights={"incident": rules.weight_incident, "project": rules.weight_project, "customer": rules.weight_customer},
        bands=bands,
        min_responses=rules.min_responses,
    )


@transaction.atomic
def rules_save(*, actor: Any, year: int, data: Mapping[str, Any], expected_version: int | None = None) -> SatisfactionRules:
    if not policy.can_manage_rules(actor):
        raise PermissionDenied(_("只有质量经理可以修改满意度折算规则。"))
    rules = SatisfactionRules.objects.select_for_update().filter(year=year).first()
    if rules is None:
        rules = SatisfactionRules(year=year, bands=[list(b) for b in core.DEFAULT_BANDS])
    elif expected_version is not None:
        rules = lock_for_edit(rules, expected_version, _("该年度规则已被他人修改，请刷新后再保存。"))
    for field in (
        "weight_incident",
        "weight_project",
        "weight_customer",
        "bands",
        "min_responses",
        "company_method",
        "threshold",
        "target",
    ):
        if field in data:
            setattr(rules, field, data[field])
    if rules.weight_incident + rules.weight_project + rules.weight_customer <= 0:
        raise ValidationError(_("三个层级的权重不能全为 0。"))
    try:
        core_rules(rules)
    except (ValueError, TypeError) as exc:
        raise ValidationError(_("分档须从高到低填写，且分数下限为数字。")) from exc
    if rules.pk:
        bump_version(rules)
    rules.full_clean()
    rules.save()
    return rules


# ---------------------------------------------------------------- templates


@transaction.atomic
def template_new_version(*, actor: Any, template: SurveyTemplate, name: str | None = None) -> SurveyTemplate:
    """Copy a template (sections and questions) into the next version; sent invitations keep theirs."""
    if not policy.can_manage_templates(actor):
        raise PermissionDenied(_("只有质量人员可以维护调查模板。"))
    last = SurveyTemplate.objects.filter(family=template.family).order_by("-version").first()
    new = SurveyTemplate.objects.create(
        family=template.family,
        version=last.version + 1,
        name=name or template.name,
        level=template.level,
        intro=template.intro,
        is_default=template.is_default,
        active=True,
    )
    SurveyTemplate.objects.filter(family=template.family).exclude(pk=new.pk).update(is_default=False, active=False)
    sections = {}
    for s in template.sections.all():
        sections[s.pk] = Section.objects.create(template=new, title=s.title, order=s.order)
    Question.objects.bulk_create(
        [
            Question(
                template=new,
                section=sections.get(q.section_id),
                order=q.order,
                kind=q.kind,
                text=q.text,
                text_en=q.text_en,
                scale_min=q.scale_min,
                scale_max=q.scale_max,
                label_min=q.label_min,
                label_max=q.label_max,
                choices=q.choices,
                weight=q.weight,
                required=q.required,
            )
            for q in template.questions.all()
        ]
    )
    return new


def template_install_defaults() -> list[SurveyTemplate]:
    """The shipped questionnaires of the three levels (idempotent by family)."""
    from opsqm.surveys.defaults import DEFAULT_TEMPLATES

    made = []
    with transaction.atomic():
        for spec in DEFAULT_TEMPLATES:
            if SurveyTemplate.objects.filter(family=spec["family"]).exists():
                continue
            tpl = SurveyTemplate.objects.create(
                family=spec["family"], version=1, name=spec["name"], level=spec["level"], intro=spec["intro"], is_default=True
            )
            order = 0
            for s_order, (title, questions) in enumerate(spec["sections"]):
                section = Section.objects.create(template=tpl, title=title, order=s_order)
                for q in questions:
                    order += 1
                    Question.objects.create(template=tpl, section=section, order=order, **q)
            made.append(tpl)
    return made


def default_template(level: str) -> SurveyTemplate | None:
    return SurveyTemplate.objects.filter(level=level, is_default=True, active=True).order_by("-version").first()


# ---------------------------------------------------------------- invitations


def invitation_token(invitation: Invitation) -> str:
    return token_for(invitation.nonce)


def invitation_url(invitation: Invitation, base_url: str = "") -> str:
    base = (base_url or getattr(settings, "OPSQM_PUBLIC_BASE_URL", "") or "").rstrip("/")
    return base + reverse("survey_public:answer", args=[invitation_token(invitation)])


def _new_invitation(
    *,
    level: str,
    project: Any,
    customer: Any,
    template: SurveyTemplate,
    contact: Mapping[str, str],
    now: dt.datetime,
    expires_at: dt.datetime,
    campaign: Campaign | None = None,
    ticket: Any = None,
) -> Invitation:
    nonce = new_nonce()
    inv = Invitation(
        campaign=campaign,
        level=level,
        project=project,
        customer=customer,
        template=template,
        ticket=ticket,
        contact_name=(contact.get("name") or "")[:100],
        contact_email=(contact.get("email") or "").strip()[:254],
        contact_phone=(contact.get("phone") or "").strip()[:50],
        nonce=nonce,
        token_hash=token_hash(token_for(nonce)),
        created_at=now,
        expires_at=expires_at,
    )
    return inv


def _send_invitation_emails(invitations: list[Invitation], base_url: str, *, reminder: bool = False) -> int:
    from opsqm.notifications.services import _emails_suppressed  # the demo loader silences every email

    if _emails_suppressed.get():
        return 0
    messages = []
    for inv in invitations:
        if not inv.contact_email:
            continue
        ctx = {"inv": inv, "url": invitation_url(inv, base_url), "reminder": reminder, "expires": timezone.localtime(inv.expires_at)}
        subject = render_to_string("surveys/email/invitation_subject.txt", ctx).strip()
        body = render_to_string("surveys/email/invitation.txt", ctx)
        messages.append(EmailMessage(subject=subject, body=body, to=[inv.contact_email]))
    if messages:
        get_connection(fail_silently=True).send_messages(messages)
    return len(messages)


def _clean_contacts(contacts: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    from django.core.validators import validate_email

    cleaned, errors = [], []
    for n, c in enumerate(contacts, start=1):
        name, email, phone = (c.get("name") or "").strip(), (c.get("email") or "").strip(), (c.get("phone") or "").strip()
        if not (name or email or phone):
            continue
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(_("第 %(n)d 行邮箱格式不正确：%(e)s") % {"n": n, "e": email})
        cleaned.append({"name": name, "email": email, "phone": phone})
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    level: str,
    customer: Any,
    project: Any = None,
    template: SurveyTemplate | None = None,
    title: str,
    period_label: str,
    expires_at: dt.datetime,
    contacts: Iterable[Mapping[str, str]],
    now: dt.datetime | None = None,
) -> Campaign:
    if level not in (Level.PROJECT, Level.CUSTOMER):
        raise ValidationError(_("调查活动只能是项目级或客户级。"))
    if level == Level.PROJECT and project is None:
        raise ValidationError({"project": _("项目级调查请选择项目。")})
    if level == Level.CUSTOMER:
        project = None
    if project is not None:
        customer = project.customer
    if not policy.can_run_campaign(actor, level, project, customer):
        raise PermissionDenied(_("您无权为该项目/客户发起满意度调查。"))
    at = now or clock.now()
    template = template or default_template(level)
    if template is None or template.level != level:
        raise ValidationError({"template": _("请选择与调查层级一致的调查模板。")})
    if expires_at <= at:
        raise ValidationError({"expires_at": _("截止时间须晚于现在。")})
    contacts = _clean_contacts(contacts)
    if not contacts:
        raise ValidationError({"contacts": _("请至少填写一位客户联系人。")})
    campaign = Campaign(
        code=code_allocate(prefix="SV", year=timezone.localtime(at).year, model=Campaign),
        title=title,
        level=level,
        project=project,
        customer=customer,
        period_label=period_label,
        template=template,
        expires_at=expires_at,
        created_by=actor,
        created_at=at,
    )
    campaign.full_clean()
    campaign.save()
    Invitation.objects.bulk_create(
        [
            _new_invitation(
                level=level,
                project=project,
                customer=customer,
                template=template,
                contact=c,
                now=at,
                expires_at=expires_at,
                campaign=campaign,
            )
            for c in contacts
        ]
    )
    return campaign


@transaction.atomic
def invitation_add(*, actor: Any, campaign: Campaign, contact: Mapping[str, str], now: dt.datetime | None = None) -> Invitation:
    if not policy.can_run_campaign(actor, campaign.level, campaign.project, campaign.customer):
        raise PermissionDenied(_("您无权修改该调查活动。"))
    if campaign.status == Campaign.Status.CLOSED:
        raise ValidationError(_("调查活动已结束。"))
    contact = _clean_contacts([contact])
    if not contact:
        raise ValidationError(_("请填写联系人。"))
    inv = _new_invitation(
        level=campaign.level,
        project=campaign.project,
        customer=campaign.customer,
        template=campaign.template,
        contact=contact[0],
        now=now or clock.now(),
        expires_at=campaign.expires_at,
        campaign=campaign,
    )
    inv.save()
    return inv


@transaction.atomic
def campaign_send(*, actor: Any, campaign: Campaign, base_url: str = "", now: dt.datetime | None = None) -> int:
    """Mark every unsent invitation sent and email those with an address; returns the emails sent."""
    if not policy.can_run_campaign(actor, campaign.level, campaign.project, campaign.customer):
        raise PermissionDenied(_("您无权发送该调查。"))
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status == Campaign.Status.CLOSED:
        raise ValidationError(_("调查活动已结束，不能再发送。"))
    at = now or clock.now()
    pending = list(locked.invitations.filter(status=IS.PENDING).select_related("customer", "project"))
    Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(status=IS.SENT, sent_at=at)
    if locked.status == Campaign.Status.DRAFT:
        locked.status = Campaign.Status.SENT
        locked.sent_at = at
        bump_version(locked)
        locked.save()
    sent = list(pending)
    transaction.on_commit(lambda: _send_invitation_emails(sent, base_url))
    return sum(1 for i in sent if i.contact_email)


@transaction.atomic
def campaign_remind(*, actor: Any, campaign: Campaign, base_url: str = "", now: dt.datetime | None = None) -> int:
    if not policy.can_run_campaign(actor, campaign.level, campaign.project, campaign.customer):
        raise PermissionDenied(_("您无权发送提醒。"))
    at = now or clock.now()
    open_invs = list(
        campaign.invitations.filter(status=IS.SENT, expires_at__gt=at).exclude(contact_email="").select_related("customer", "project")
    )
    for inv in open_invs:
        Invitation.objects.filter(pk=inv.pk).update(reminder_count=inv.reminder_count + 1, last_reminded_at=at)
    transaction.on_commit(lambda: _send_invitation_emails(open_invs, base_url, reminder=True))
    return len(open_invs)


@transaction.atomic
def campaign_close(*, actor: Any, campaign: Campaign) -> Campaign:
    if not policy.can_run_campaign(actor, campaign.level, campaign.project, campaign.customer):
        raise PermissionDenied(_("您无权结束该调查。"))
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    locked.status = Campaign.Status.CLOSED
    bump_version(locked)
    locked.save()
    return locked


@transaction.atomic
def invitation_withdraw(*, actor: Any, invitation: Invitation, now: dt.datetime | None = None) -> Invitation:
    if not policy.can_run_campaign(actor, invitation.level, invitation.project, invitation.customer):
        raise PermissionDenied(_("您无权撤回该邀请。"))
    changed = Invitation.objects.filter(pk=invitation.pk, status__in=[IS.PENDING, IS.SENT]).update(
        status=IS.WITHDRAWN, withdrawn_at=now or clock.now()
    )
    if not changed:
        raise ValidationError(_("该邀请已答复或已撤回，不能撤回。"))
    invitation.refresh_from_db()
    return invitation


# ---------------------------------------------------------------- answering


def invitation_for_token(token: str, now: dt.datetime | None = None) -> Invitation:
    """The open invitation of `token`, or InvalidToken (whatever the reason)."""
    if not token or len(token) > 100:
        raise InvalidToken
    inv = Invitation.objects.select_related("template", "customer", "project").filter(token_hash=token_hash(token)).first()
    if inv is None or not inv.is_open(now or timezone.now()):
        raise InvalidToken
    return inv


def questions_of(template: SurveyTemplate) -> list[Question]:
    return list(template.questions.all().order_by("order", "id"))


def _lowest_band_bound(rules: SatisfactionRules) -> float:
    bands = core_rules(rules).bands
    return bands[-2][0] if len(bands) > 1 else bands[-1][0]


def clean_answers(questions: list[Question], data: Mapping[str, Any], rules: SatisfactionRules) -> tuple[list[Answer], str, bool]:
    """Validate a submitted form against the template; returns unsaved answers, the comment and the low-band flag.

    `data` is a QueryDict-like mapping: q<ID> for single values, getlist(q<ID>) for multiple choice."""
    errors: dict[str, str] = {}
    answers: list[Answer] = []
    low = False
    bound = _lowest_band_bound(rules)
    texts: list[str] = []
    getlist = getattr(data, "getlist", lambda k: [v for v in [data.get(k)] if v is not None])
    for q in questions:
        key = f"q{q.pk}"
        if q.kind == Question.Kind.RATING:
            raw = (data.get(key) or "").strip()
            if not raw:
                if q.required:
                    errors[key] = _("请为此项评分。")
                answers.append(Answer(question=q, value=None))
                continue
            try:
                value = int(raw)
            except ValueError:
                errors[key] = _("评分无效。")
                continue
            if not q.scale_min <= value <= q.scale_max:
                errors[key] = _("评分须在 %(a)d 到 %(b)d 之间。") % {"a": q.scale_min, "b": q.scale_max}
                continue
            if core.normalize(value, q.scale_min, q.scale_max) < bound:
                low = True
            answers.append(Answer(question=q, value=value))
        elif q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            picked = [v for v in getlist(key) if v]
            allowed = [str(c) for c in q.choices]
            if any(v not in allowed for v in picked) or (q.kind == Question.Kind.SINGLE and len(picked) > 1):
                errors[key] = _("选项无效。")
                continue
            if q.required and not picked:
                errors[key] = _("请选择。")
                continue
            answers.append(Answer(question=q, choices=picked))
        else:
            text = (data.get(key) or "").strip()[:4000]
            if q.required and not text:
                errors[key] = _("请填写。")
                continue
            if text:
                texts.append(text)
            answers.append(Answer(question=q, text=text))
    extra = (data.get("comment") or "").strip()[:4000]
    if extra:
        texts.append(extra)
    if low and not texts:
        text_keys = [f"q{q.pk}" for q in questions if q.kind == Question.Kind.TEXT]
        errors[text_keys[0] if text_keys else "comment"] = _("您给出了最低一档的评分，请写下原因或建议，便于我们改进。")
    if errors:
        raise ValidationError(errors)
    return answers, "\n".join(texts), low


def _score(answers: list[Answer]) -> float | None:
    return core.response_score(
        [
            core.RatingAnswer(value=a.value, scale_min=a.question.scale_min, scale_max=a.question.scale_max, weight=a.question.weight)
            for a in answers
            if a.question.kind == Question.Kind.RATING
        ]
    ).score


def response_submit(
    *,
    token: str,
    data: Mapping[str, Any],
    now: dt.datetime | None = None,
    invitation: Invitation | None = None,
    questions: list[Question] | None = None,
) -> Response:
    """Store the one response of an invitation. Validation first (no claim on a form error), then an
    atomic claim (UPDATE … WHERE status open) and the insert, under the invitation's unique constraint.

    `invitation`/`questions` may be passed when the caller already loaded them for `token` (the page
    does, to re-render on errors); the claim below re-checks the state in the database anyway."""
    at = now or timezone.now()
    inv = invitation if invitation is not None and invitation.token_hash == token_hash(token) else invitation_for_token(token, at)
    questions = questions if questions is not None else questions_of(inv.template)
    rules = rules_for_year(timezone.localtime(at).year)
    answers, comment, low = clean_answers(questions, data, rules)
    try:
        with transaction.atomic():
            claimed = Invitation.objects.filter(pk=inv.pk, status__in=[IS.PENDING, IS.SENT], expires_at__gt=at).update(
                status=IS.ANSWERED, answered_at=at
            )
            if claimed != 1:
                raise InvalidToken
            response = Response.objects.create(
                invitation=inv,
                level=inv.level,
                project=inv.project,
                customer=inv.customer,
                template=inv.template,
                submitted_at=at,
                score=_score(answers),
                lowest_band=low,
                comment=comment,
            )
            for a in answers:
                a.response = response
            Answer.objects.bulk_create(answers)
    except IntegrityError as exc:
        raise InvalidToken from exc
    return response


# ---------------------------------------------------------------- incident sweep


def _sampled(ticket_id: int, pct: int) -> bool:
    """Deterministic sampling, so a sweep run twice never re-draws the same ticket."""
    digest = hashlib.sha256(f"opsqm-survey-sample:{ticket_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < pct


def survey_sweep(*, now: dt.datetime | None = None, base_url: str = "") -> dict[str, int]:
    """Create the due incident invitations: tickets resolved at least `delay` ago, still inside the
    validity window, of the rule's types and priorities, sampled, at most one per contact per N days."""
    from opsqm.org.models import Project
    from opsqm.tickets.models import Ticket

    at = now or timezone.now()
    default_rule = IncidentRule.objects.filter(project__isnull=True).first()
    rules = {r.project_id: r for r in IncidentRule.objects.filter(project__isnull=False)}
    template = default_template(Level.INCIDENT)
    created: list[Invitation] = []
    stats = {"candidates": 0, "sampled_out": 0, "contact_recent": 0, "created": 0}
    for project in Project.objects.select_related("customer").exclude(status="planning"):
        rule = rules.get(project.pk, default_rule)
        if rule is None or not rule.enabled or rule.sampling_pct == 0:
            continue
        tpl = rule.template or template
        if tpl is None:
            continue
        latest = at - dt.timedelta(hours=rule.delay_hours)
        earliest = latest - dt.timedelta(days=rule.validity_days)
        qs = Ticket.objects.filter(project=project, resolved_at__lte=latest, resolved_at__gt=earliest, survey_invitation__isnull=True)
        qs = qs.filter(~Q(contact_email="") | ~Q(contact_phone=""))
        if rule.ticket_types:
            qs = qs.filter(type__in=rule.ticket_types)
        if rule.priorities:
            qs = qs.filter(priority__in=rule.priorities)
        tickets = list(qs.only("pk", "contact", "contact_email", "contact_phone", "resolved_at").order_by("resolved_at", "pk")[:5000])
        if not tickets:
            continue
        since = at - dt.timedelta(days=rule.contact_days)
        recent = Invitation.objects.filter(level=Level.INCIDENT, created_at__gte=since, project__customer=project.customer)
        seen = {x.lower() for pair in recent.values_list("contact_email", "contact_phone") for x in pair if x}
        for t in tickets:
            stats["candidates"] += 1
            if not _sampled(t.pk, rule.sampling_pct):
                stats["sampled_out"] += 1
                continue
            keys = {x.lower() for x in (t.contact_email, t.contact_phone) if x}
            if keys & seen:
                stats["contact_recent"] += 1
                continue
            seen |= keys
            inv = _new_invitation(
                level=Level.INCIDENT,
                project=project,
                customer=project.customer,
                template=tpl,
                ticket=t,
                now=at,
                expires_at=at + dt.timedelta(days=rule.validity_days),
                contact={"name": t.contact, "email": t.contact_email, "phone": t.contact_phone},
            )
            if inv.contact_email:
                inv.status, inv.sent_at = IS.SENT, at
            created.append(inv)
    if created:
        # ignore_conflicts: a concurrent sweep that created the same ticket's invitation wins (unique ticket).
        Invitation.objects.bulk_create(created, ignore_conflicts=True)
        stored = {i.token_hash for i in Invitation.objects.filter(token_hash__in=[c.token_hash for c in created]).only("token_hash")}
        created = [c for c in created if c.token_hash in stored]
        _send_invitation_emails([c for c in created if c.contact_email], base_url)
    stats["created"] = len(created)
    stats["reminded"] = _remind_incident(at, base_url)
    return stats


INCIDENT_REMINDER_AFTER = dt.timedelta(days=2)


def _remind_incident(at: dt.datetime, base_url: str) -> int:
    """One reminder email for an unanswered incident invitation, two days after it was sent."""
    due = list(
        Invitation.objects.filter(
            level=Level.INCIDENT,
            status=IS.SENT,
            reminder_count=0,
            sent_at__lte=at - INCIDENT_REMINDER_AFTER,
            expires_at__gt=at + dt.timedelta(hours=1),
        )
        .exclude(contact_email="")
        .select_related("template", "ticket")[:2000]
    )
    if not due:
        return 0
    Invitation.objects.filter(pk__in=[i.pk for i in due], reminder_count=0).update(reminder_count=1, last_reminded_at=at)
    _send_invitation_emails(due, base_url, reminder=True)
    return len(due)


# ---------------------------------------------------------------- complaints


def _due(received: dt.datetime, days: int) -> dt.date:
    # The findings area owns the working-day arithmetic (China holidays + imported years).
    from opsqm.findings.services import _add_working_days

    return _add_working_days(timezone.localtime(received).date(), days)


COMPLAINT_FIELDS = ("received_at", "channel", "customer", "project", "contact", "content", "severity", "handler", "deadline_days")


@transaction.atomic
def complaint_create(*, actor: Any, data: Mapping[str, Any], response: Response | None = None) -> Complaint:
    project, customer = data.get("project"), data.get("customer")
    if project is not None:
        customer = project.customer
    if not policy.can_register_complaint(actor, project, customer):
        raise PermissionDenied(_("您无权为该客户/项目登记投诉。"))
    received = data.get("received_at") or clock.now()
    if received > clock.now():
        raise ValidationError({"received_at": _("受理时间不能晚于当前时间。")})
    c = Complaint(
        code=code_allocate(prefix="TS", year=timezone.localtime(received).year, model=Complaint),
        created_by=actor,
        response=response,
        **{k: data[k] for k in COMPLAINT_FIELDS if k in data and k not in ("customer", "project", "received_at")},
    )
    c.customer, c.project, c.received_at = customer, project, received
    c.due_date = _due(received, c.deadline_days)
    c.full_clean()
    c.save()
    from opsqm.notifications.services import notify

    if c.handler_id != actor.pk:
        notify(
            users=[c.handler],
            title=_("客户投诉待您处理：%(code)s") % {"code": c.code},
            body=c.content[:500],
            url=reverse("surveys:complaint_detail", args=[c.pk]),
            kind="complaint_assigned",
        )
    return c


def _lock_complaint(complaint: Complaint, expected_version: int | None) -> Complaint:
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if expected_version is not None:
        locked = lock_for_edit(locked, expected_version, _("该投诉已被他人修改，请刷新后再操作。"))
    if locked.status == Complaint.Status.CLOSED:
        raise ValidationError(_("投诉已关闭，不能再修改。"))
    return locked


@transaction.atomic
def complaint_update(*, actor: Any, complaint: Complaint, data: Mapping[str, Any], expected_version: int | None = None) -> Complaint:
    locked = _lock_complaint(complaint, expected_version)
    if not policy.can_handle_complaint(actor, locked):
        raise PermissionDenied(_("只有处理人、项目运维经理或质量人员可以处理投诉。"))
    for field in ("handling", "severity", "handler", "deadline_days", "content", "contact"):
        if field in data:
            setattr(locked, field, data[field])
    locked.due_date = _due(locked.received_at, locked.deadline_days)
    if locked.handling.strip() and locked.status == Complaint.Status.OPEN:
        locked.status = Complaint.Status.HANDLING
    bump_version(locked)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def complaint_visit(
    *,
    actor: Any,
    complaint: Complaint,
    visit_date: dt.date,
    visit_by: str,
    result: str,
    note: str = "",
    accepted: bool | None = None,
    expected_version: int | None = None,
) -> Complaint:
    """回访: only after a handling record; an unsatisfied visit sends the complaint back to handling."""
    locked = _lock_complaint(complaint, expected_version)
    if not policy.can_visit_complaint(actor, locked):
        raise PermissionDenied(_("回访由质量人员或项目运维经理进行。"))
    if not locked.handling.strip():
        raise ValidationError(_("请先填写处理记录，再进行回访。"))
    if result not in Complaint.VisitResult.values:
        raise ValidationError({"visit_result": _("请选择回访结果。")})
    if not (visit_by or "").strip():
        raise ValidationError({"visit_by": _("请填写回访人。")})
    locked.visit_date, locked.visit_by, locked.visit_result, locked.visit_note = visit_date, visit_by.strip(), result, note
    locked.accepted = accepted if result == Complaint.VisitResult.SATISFIED else False
    locked.status = Complaint.Status.VISITED if result == Complaint.VisitResult.SATISFIED else Complaint.Status.HANDLING
    bump_version(locked)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def complaint_close(*, actor: Any, complaint: Complaint, expected_version: int | None = None, now: dt.datetime | None = None) -> Complaint:
    locked = _lock_complaint(complaint, expected_version)
    if not policy.can_visit_complaint(actor, locked):
        raise PermissionDenied(_("投诉由质量人员或项目运维经理关闭。"))
    if locked.visit_result != Complaint.VisitResult.SATISFIED or not locked.accepted:
        raise ValidationError(_("须经回访、客户满意并认可处理结果后才能关闭投诉。"))
    locked.status = Complaint.Status.CLOSED
    locked.closed_at = now or clock.now()
    bump_version(locked)
    locked.full_clean()
    locked.save()
    return locked


def complaint_close_blocker(finding: Any) -> str | None:
    """Why a finding raised from a complaint may not close yet (None = it may)."""
    if finding.source_type != "surveys.complaint":
        return None
    complaint = Complaint.objects.filter(pk=finding.source_id or 0).first()
    if complaint is None:
        return None
    if complaint.visit_result != Complaint.VisitResult.SATISFIED:
        return _("该问题来自客户投诉 %(code)s：须完成回访且客户满意后才能关闭。") % {"code": complaint.code}
    return None


# ---------------------------------------------------------------- findings proposed by satisfaction


def _existing_finding(source_type: str, source_id: Any):
    from opsqm.findings.models import Finding

    return Finding.objects.filter(source_type=source_type, source_id=str(source_id)).first()


@transaction.atomic
def finding_from_complaint(*, actor: Any, complaint: Complaint):
    from opsqm.findings.models import Finding
    from opsqm.findings.services import finding_create

    found = _existing_finding("surveys.complaint", complaint.pk)
    if found is None:
        severity = Finding.Severity.MAJOR if complaint.severity == Complaint.Severity.MAJOR else Finding.Severity.MINOR
        found = finding_create(
            actor=actor,
            title=(_("客户投诉：%(code)s %(c)s") % {"code": complaint.code, "c": complaint.customer.name})[:200],
            description=complaint.content,
            severity=severity,
            source=Finding.Source.COMPLAINT,
            project=complaint.project,
            source_type="surveys.complaint",
            source_id=str(complaint.pk),
            source_url=reverse("surveys:complaint_detail", args=[complaint.pk]),
        )
    Complaint.objects.filter(pk=complaint.pk).update(finding=found)
    return found


@transaction.atomic
def finding_from_response(*, actor: Any, response: Response):
    from opsqm.findings.models import Finding
    from opsqm.findings.services import finding_create

    found = _existing_finding("surveys.response", response.pk)
    if found is None:
        where = response.project.code if response.project_id else response.customer.name
        found = finding_create(
            actor=actor,
            title=_("满意度调查低分：%(w)s（%(l)s）") % {"w": where, "l": response.get_level_display()},
            description=_("答卷含最低一档评分，得分 %(s)s。客户意见：%(c)s")
            % {"s": "—" if response.score is None else f"{response.score:.1f}", "c": response.comment or "—"},
            severity=Finding.Severity.MINOR,
            source=Finding.Source.SATISFACTION,
            project=response.project,
            source_type="surveys.response",
            source_id=str(response.pk),
            source_url=reverse("surveys:response_detail", args=[response.pk]),
        )
    return found


@transaction.atomic
def finding_from_project_score(*, actor: Any, project: Any, period: str, score: float, threshold: float):
    from opsqm.findings.models import Finding
    from opsqm.findings.services import finding_create

    key = f"{project.pk}:{period}"
    found = _existing_finding("surveys.project_score", key)
    if found is None:
        found = finding_create(
            actor=actor,
            title=_("项目满意度低于预警线：%(p)s %(period)s") % {"p": project.code, "period": period},
            description=_("%(period)s 项目满意度 %(s).1f 分，低于预警线 %(t).1f 分。") % {"period": period, "s": score, "t": threshold},
            severity=Finding.Severity.MINOR,
            source=Finding.Source.SATISFACTION,
            project=project,
            source_type="surveys.project_score",
            source_id=key,
            source_url=reverse("surveys:explain", args=[project.code]) + f"?period={period}",
        )
    return found
