"""Background work for the escalation line: deadline sweeps and e-mail to everyone involved.

E-mails carry no personal data: a reference, the office, the category, the state and a link; each is written
in its recipients' language and time zone (refugio.preferences).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task

from refugio.escalations.models import ACTIVE_STATUSES, Category, Escalation, Status
from refugio.preferences.rendering import for_recipient, moment_text
from refugio.preferences.selectors import Preference, preference_of, preferences_by_address


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


def recipient_preferences(escalation: Escalation, to: list[str]) -> dict[str, Preference]:
    """Each address's language and time zone: the account behind it (an office contact's, the sender's, a
    writer's), else any account with that address, else the defaults (an office's shared inbox)."""
    accounts: dict[str, Any] = {}
    for contact in escalation.office.contacts.select_related("user"):
        if contact.user is not None and contact.email:
            accounts.setdefault(contact.email.lower(), contact.user)
    people = [escalation.raised_by] + [m.author for m in escalation.messages.select_related("author")]
    for user in people:
        if user is not None and user.email:
            accounts.setdefault(user.email.lower(), user)
    by_address = preferences_by_address([a for a in to if a.lower() not in accounts])
    return {a: preference_of(accounts[a.lower()]) if a.lower() in accounts else by_address[a] for a in to}


@task()
def notify_involved(escalation_id: str, reason: str) -> int:
    return _notify(escalation_id, reason)


def _notify(escalation_id: str, reason: str) -> int:
    """One e-mail per language and time zone among the recipients, each written in them."""
    escalation = Escalation.objects.select_related("office", "raised_by").get(id=escalation_id)
    to = recipients(escalation)
    if not to:
        return 0
    groups: dict[Preference, list[str]] = {}
    for address, preference in recipient_preferences(escalation, to).items():
        groups.setdefault(Preference(preference.language, preference.time_zone), []).append(address)
    sent = 0
    for preference, addresses in groups.items():
        with for_recipient(preference):
            subject, body = _message(escalation, reason)
            sent += send_mail(subject, body, None, addresses)
    return sent


def _message(escalation: Escalation, reason: str) -> tuple[str, str]:
    what = {
        "raised": _("New escalation"),
        "status": _("Status is now %(status)s") % {"status": Status(escalation.status).label},
        "message": _("New message"),
        "tier": _("Deadline passed: escalated to tier %(tier)d") % {"tier": escalation.tier},
    }.get(reason, _("Update"))
    lines = [
        f"{what}.",
        "",
        _("Reference: %(reference)s") % {"reference": escalation.reference},
        _("Office: %(office)s") % {"office": escalation.office.name},
        _("Category: %(category)s") % {"category": Category(escalation.category).label},
        _("Status: %(status)s, tier %(tier)d") % {"status": Status(escalation.status).label, "tier": escalation.tier},
        _("Acknowledge by: %(when)s") % {"when": moment_text(escalation.acknowledge_by)},
        _("Resolve by: %(when)s") % {"when": moment_text(escalation.resolve_by)},
        "",
        _("Open it in Refugio: %(url)s") % {"url": f"{settings.REFUGIO_BASE_URL}/escalations/{escalation.id}/"},
        _("(No personal details are sent by e-mail.)"),
    ]
    return f"[Refugio] {escalation.reference}: {what}", "\n".join(lines) + "\n"
