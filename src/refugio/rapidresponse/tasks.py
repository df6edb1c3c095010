"""Telling people of an alert: a task booked when the alert is committed, so a failing mail server never loses
it. Each recipient is recorded first (AlertNotification), then e-mailed; `sent_at` is set once the mail server
took the message. A failed send is tried again a minute later (where tasks can be deferred), up to MAX_ATTEMPTS.

E-mails carry no personal data: the case's registration code, the alert's reference and a link. Each is
written in its recipient's language and time zone (refugio.preferences)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task

from refugio.people.registration_code import display
from refugio.preferences.rendering import for_recipient, moment_text
from refugio.preferences.selectors import preference_of
from refugio.rapidresponse.models import AlertNotification, DetentionAlert
from refugio.rapidresponse.selectors import who_to_tell

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
RETRY_AFTER = dt.timedelta(minutes=1)


@task()
def notify_alert(alert_id: str) -> int:
    """E-mail everyone to tell who has not been told yet; how many e-mails went."""
    return _notify(alert_id)


def _notify(alert_id: str) -> int:
    alert = DetentionAlert.objects.select_related("household").filter(id=alert_id).first()
    if alert is None:
        return 0
    now = timezone.now()
    for user, _address, notified_as in who_to_tell(alert, now):
        try:
            with transaction.atomic():
                AlertNotification.objects.get_or_create(
                    alert=alert, user=user, defaults={"notified_as": notified_as, "created_at": now}
                )
        except IntegrityError:  # another worker recorded it at the same moment
            pass
    addresses = {user.pk: address for user, address, _as in who_to_tell(alert, now)}
    sent = 0
    failed = False
    for notification in alert.notifications.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).select_related(
        "user"
    ):
        address = addresses.get(notification.user_id) or notification.user.email
        AlertNotification.objects.filter(pk=notification.pk).update(attempts=notification.attempts + 1)
        if not address:
            continue
        try:
            with for_recipient(preference_of(notification.user)):
                subject, body = message(alert)
            send_mail(subject, body, None, [address])
        except Exception as exc:  # noqa: BLE001 - the alert stays; the send is tried again
            log.warning("alert e-mail %s failed (%s); will retry", notification.pk, type(exc).__name__)
            failed = True
            continue
        AlertNotification.objects.filter(pk=notification.pk).update(sent_at=timezone.now())
        sent += 1
    if failed and default_task_backend.supports_defer:
        notify_alert.using(run_after=timezone.now() + RETRY_AFTER).enqueue(str(alert.id))
    return sent


def message(alert: DetentionAlert) -> tuple[str, str]:
    code = display(alert.household.registration_code)
    lines = [
        _("URGENT: a detention or imminent-removal alert was raised for case %(code)s.") % {"code": code},
        "",
        _("Reference: %(reference)s") % {"reference": alert.reference},
        _("Raised: %(when)s") % {"when": moment_text(alert.created_at)},
        "",
        _("Open it in Refugio: %(url)s") % {"url": f"{settings.REFUGIO_BASE_URL}/rapid-response/{alert.id}/"},
        _("(No personal details are sent by e-mail.)"),
    ]
    subject = _("[Refugio] URGENT rapid-response alert %(reference)s, case %(code)s") % {
        "reference": alert.reference,
        "code": code,
    }
    return subject, "\n".join(lines) + "\n"
