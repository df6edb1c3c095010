"""Background work for the escalation line: deadline sweeps and e-mail to everyone involved.

E-mails carry no personal data: a reference, the office, the category, the state and a link.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django_tasks import default_task_backend, task

from refugio.escalations.models import ACTIVE_STATUSES, Category, Escalation, Status


@task()
def sweep_overdue() -> int:
    from refugio.escalations.services import escalate_overdue

    return len(escalate_overdue())


def schedule_sweep(escalation: Escalation) -> None:
    """Wake a worker when this escalation's next deadline passes."""
    if escalation.status not in ACTIVE_STATUSES or not default_task_backend.supports_defer:
        return
    due = escalation.resolve_by if escalation.acknowledged_at else min(escalation.acknowledge_by, escalation.resolve_by)
    sweep_overdue.using(run_after=max(due, timezone.now())).enqueue()


def recipients(escalation: Escalation) -> list[str]:
    """The office contacts up to the current tier, whoever raised it, and whoever wrote in the thread."""
    emails = [c.email for c in escalation.office.contacts.all() if c.tier <= escalation.tier and c.email]
    if escalation.raised_by and escalation.raised_by.email:
        emails.append(escalation.raised_by.email)
    emails += [m.author.email for m in escalation.messages.select_related("author") if m.author and m.author.email]
    return sorted(set(emails))


@task()
def notify_involved(escalation_id: str, reason: str) -> int:
    # Agency staff and attorneys work in English; the labels must match the English text around them.
    with translation.override("en"):
        return _notify(escalation_id, reason)


def _notify(escalation_id: str, reason: str) -> int:
    escalation = Escalation.objects.select_related("office", "raised_by").get(id=escalation_id)
    to = recipients(escalation)
    if not to:
        return 0
    what = {
        "raised": "New escalation",
        "status": f"Status is now {Status(escalation.status).label}",
        "message": "New message",
        "tier": f"Deadline passed: escalated to tier {escalation.tier}",
    }.get(reason, "Update")
    body = (
        f"{what}.\n\n"
        f"Reference: {escalation.reference}\n"
        f"Office: {escalation.office.name}\n"
        f"Category: {Category(escalation.category).label}\n"
        f"Status: {Status(escalation.status).label}, tier {escalation.tier}\n"
        f"Acknowledge by: {escalation.acknowledge_by:%Y-%m-%d %H:%M %Z}\n"
        f"Resolve by: {escalation.resolve_by:%Y-%m-%d %H:%M %Z}\n\n"
        f"Open it in Refugio: {settings.REFUGIO_BASE_URL}/escalations/{escalation.id}/\n"
        "(No personal details are sent by e-mail.)\n"
    )
    return send_mail(f"[Refugio] {escalation.reference}: {what}", body, None, to)
