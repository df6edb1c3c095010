"""The monitor runs once a day as a background task that books its own next run (`refugio manage task_worker`),
and its new alerts are e-mailed to the organisation's admins (enqueued when the check is committed).

An alert e-mail carries no personal data: the breakdown, the group, the entry rates, the ratios with their
intervals and a link to the dashboard. Each alert is e-mailed at most once: an alert that repeats one of the check
before (the group is still flagged) is not sent again, and a sent alert is marked under a row lock."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from refugio.core.tasks import book_periodic, next_night


@task(queue_name="reports")  # its own worker: minutes of statistics must not delay the surge path
def monitor_disparities() -> int:
    """Check every organisation's waits by group, then again the next night (also when it failed)."""
    from refugio.disparity.services import run_all_monitors

    try:
        return run_all_monitors()
    finally:
        schedule_monitor()


def schedule_monitor() -> None:
    """Book the next run for the coming night, unless one is already booked."""
    book_periodic(monitor_disparities, at=next_night())


@task()
def email_alerts(check_id: int) -> int:
    """E-mail each recipient the new alerts of a check (those not repeating the check before), once. The number of
    e-mails sent."""
    from refugio.disparity.models import DisparityAlert
    from refugio.preferences.rendering import for_recipient
    from refugio.preferences.selectors import preference_of

    sent = 0
    with transaction.atomic():
        alerts = list(
            DisparityAlert.objects.select_for_update()
            .filter(check_run_id=check_id, repeat_of__isnull=True, emailed_at__isnull=True)
            .select_related("recipient", "check_run")
            .order_by("recipient_id", "dimension", "group")
        )
        by_recipient: dict[Any, list[DisparityAlert]] = defaultdict(list)
        for alert in alerts:
            by_recipient[alert.recipient].append(alert)
        now = timezone.now()
        for recipient, theirs in by_recipient.items():
            if recipient.email:
                with for_recipient(preference_of(recipient)):
                    subject, body = alert_message(theirs)
                    sent += send_mail(subject, body, None, [recipient.email])
            DisparityAlert.objects.filter(pk__in=[a.pk for a in theirs]).update(emailed_at=now)
    return sent


def _interval(figures: dict[str, Any] | None) -> str:
    if not figures or figures.get("estimate") is None:
        return "—"
    low, high = figures.get("low"), figures.get("high")
    bounds = f"{low:.2f}" if low is not None else "—", f"{high:.2f}" if high is not None else "∞"
    return _("%(estimate)s (95%% interval %(low)s to %(high)s)") % {
        "estimate": f"{figures['estimate']:.2f}",
        "low": bounds[0],
        "high": bounds[1],
    }


def alert_message(alerts: list[Any]) -> tuple[str, str]:
    """The subject and body of one recipient's e-mail about the new alerts of one check, in the active language."""
    from refugio.disparity.selectors import group_label
    from refugio.disparity.vocabulary import Dimension

    check = alerts[0].check_run
    lines = [
        _("The disparity monitor found groups of your organisation's households that enter less than others:"),
        "",
    ]
    for alert in alerts:
        figures: dict[str, Any] = next(
            (g for g in check.results.get(alert.dimension, {}).get("groups", []) if g["group"] == alert.group), {}
        )
        lines += [
            _("%(measure)s: %(group)s entered at %(rate)s, against %(reference_rate)s for %(reference)s.")
            % {
                "measure": Dimension(alert.dimension).label,
                "group": group_label(alert.dimension, alert.group),
                "rate": f"{round(100 * alert.entry_rate)}%",
                "reference_rate": f"{round(100 * alert.reference_rate)}%",
                "reference": group_label(alert.dimension, alert.reference_group),
            },
            "  " + _("Ratio of entry rates: %(ratio)s") % {"ratio": _interval(figures.get("rate_ratio"))},
            "  " + _("Pace of entry (hazard ratio): %(ratio)s") % {"ratio": _interval(figures.get("hazard_ratio"))},
            "",
        ]
    url = f"{settings.REFUGIO_BASE_URL}{reverse('disparity:dashboard')}?organisation={check.organisation_id}#alerts"
    lines += [
        _("Flagged: an entry rate below four fifths of the highest group's, with an interval that excludes parity."),
        _("See the figures in Refugio: %(url)s") % {"url": url},
        _("(No personal details are sent by e-mail.)"),
    ]
    subject = ngettext(
        "[Refugio] Disparity alert: %(count)s group enters less than others",
        "[Refugio] Disparity alert: %(count)s groups enter less than others",
        len(alerts),
    ) % {"count": len(alerts)}
    return subject, "\n".join(lines) + "\n"
