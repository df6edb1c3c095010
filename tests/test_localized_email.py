"""E-mails are written for each recipient: in the language they chose, with times in their time zone and the
zone's name; those who have not chosen get the deployment's defaults (English, America/Tijuana)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import translation

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.escalations import tasks
from refugio.escalations.models import AgencyOffice, OfficeContact
from refugio.escalations.services import raise_escalation
from refugio.legal.models import Hearing
from refugio.legal.services import send_hearing_notices
from refugio.preferences.models import StaffPreference
from refugio.preferences.vocabulary import zone_name

from .conftest import World, make_user
from .test_pages import signed_in


def _hour(moment: dt.datetime, zone: str, language: str) -> str:
    """The hour as a reader expects it, worked out here without the code under test."""
    local = moment.astimezone(ZoneInfo(zone))
    suffix = {"es": ("a. m.", "p. m."), "en": ("a.m.", "p.m.")}[language][local.hour >= 12]
    return f"{local.hour % 12 or 12}:{local.minute:02d} {suffix}"


def _zone(zone: str, language: str) -> str:
    with translation.override(language):
        return zone_name(zone)


def _prefer(user: object, email: str, language: str, zone: str) -> None:
    user.email = email  # type: ignore[attr-defined]
    user.save()  # type: ignore[attr-defined]
    StaffPreference.objects.create(user=user, language=language, time_zone=zone)


@pytest.fixture
def escalation(world: World):  # noqa: ANN201
    attorney, liaison = world.users[Role.ATTORNEY], world.users[Role.AGENCY_LIAISON]
    _prefer(attorney, "abogada@home.example", "es", "America/Mexico_City")
    _prefer(liaison, "liaison@cbp.example", "en", "America/Tijuana")
    office = AgencyOffice.objects.create(organisation=world.agency, name="CBP San Ysidro", kind="cbp_port")
    OfficeContact.objects.create(
        office=office, user=liaison, name="Officer", role="Liaison", email="liaison@cbp.example"
    )
    OfficeContact.objects.create(office=office, name="Inbox", role="Shared inbox", email="inbox@cbp.example")
    return raise_escalation(
        Actor(attorney, "web"),
        household=world.own,
        office_id=office.id,
        category="imminent_removal",
        summary="Flight tonight.",
        now=dt.datetime(2027, 3, 1, 17, 30, tzinfo=dt.UTC),
    )


def test_escalation_email_in_each_recipients_language_and_zone(escalation) -> None:  # noqa: ANN001
    mail.outbox.clear()
    tasks._notify(str(escalation.id), "raised")
    by_address = {address: m for m in mail.outbox for address in m.to}
    spanish, english = by_address["abogada@home.example"], by_address["liaison@cbp.example"]
    assert spanish.to == ["abogada@home.example"]
    # The shared inbox has no account: the defaults, like the liaison's choice, so they share one e-mail.
    assert sorted(english.to) == ["inbox@cbp.example", "liaison@cbp.example"]

    ack = escalation.acknowledge_by
    assert "Expulsión inminente o vuelo de deportación" in spanish.body and "marzo" in spanish.body
    assert f"{_hour(ack, 'America/Mexico_City', 'es')} ({_zone('America/Mexico_City', 'es')})" in spanish.body
    assert _hour(ack, "America/Tijuana", "es") not in spanish.body and "UTC" not in spanish.body
    assert "Imminent removal or deportation flight" in english.body and "March" in english.body
    assert f"{_hour(ack, 'America/Tijuana', 'en')} (Tijuana time)" in english.body
    assert "Hernández" not in spanish.body + english.body  # still no personal data by e-mail


def test_hearing_alert_in_each_admins_language_and_zone(world: World) -> None:
    spanish_admin = world.users[Role.ORG_ADMIN]
    english_admin = make_user("second-admin", world.home, Role.ORG_ADMIN)
    _prefer(spanish_admin, "admin@home.example", "es", "America/Mexico_City")
    _prefer(english_admin, "admin2@home.example", "en", "America/Tijuana")
    Hearing.objects.create(
        household=world.own,
        court="ELP",  # El Paso: America/Denver
        date=dt.date(2027, 1, 31),
        time=dt.time(9, 0),
        kind="master",
        mode="in_person",
        language="mam",
    )
    mail.outbox.clear()
    send_hearing_notices(dt.date(2027, 1, 17))  # 14 days out: no representative, no interpreter
    by_address = {m.to[0]: m for m in mail.outbox}
    spanish, english = by_address["admin@home.example"], by_address["admin2@home.example"]
    at = dt.datetime(2027, 1, 31, 9, 0, tzinfo=ZoneInfo("America/Denver"))

    assert "Audiencia preliminar (master calendar)" in spanish.body and "enero" in spanish.body
    assert f"{_hour(at, 'America/Mexico_City', 'es')} ({_zone('America/Mexico_City', 'es')})" in spanish.body
    assert "9:00 a. m." in spanish.body  # and the court's own hour
    assert "Master calendar hearing" in english.body and "January" in english.body and "2027-01-31" in english.body
    assert f"{_hour(at, 'America/Tijuana', 'en')} (Tijuana time)" in english.body
    assert "representative and interpreter" in english.subject
    # Each disclosure is still audited as the recipient's read by e-mail.
    readers = set(AuditEvent.objects.filter(action="read", channel="email").values_list("actor_id", flat=True))
    assert readers == {spanish_admin.id, english_admin.id}


def test_staff_choose_their_language_and_time_zone(world: World) -> None:
    caseworker = world.users[Role.CASEWORKER]
    client = signed_in(caseworker)
    page = client.get("/preferences/")
    assert page.status_code == 200 and "Tijuana time" in page.content.decode()
    refused = client.post("/preferences/", {"language": "es", "time_zone": "Mars/Olympus"})
    assert refused.status_code == 200 and not StaffPreference.objects.exists()
    assert 'class="error-summary"' in refused.content.decode() or "error-summary" in refused.content.decode()
    assert client.post("/preferences/", {"language": "es", "time_zone": "America/Monterrey"}).status_code == 302
    chosen = StaffPreference.objects.get(user=caseworker)
    assert (chosen.language, chosen.time_zone) == ("es", "America/Monterrey")
    assert AuditEvent.objects.filter(object_type="staff_preference", object_id=str(caseworker.pk)).exists()


def test_the_service_refuses_an_unknown_zone_and_pages_follow_the_chosen_zone(world: World) -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils import timezone

    from refugio.core.errors import ValidationFailed
    from refugio.preferences.middleware import StaffTimeZoneMiddleware
    from refugio.preferences.services import set_preference

    caseworker = world.users[Role.CASEWORKER]
    with pytest.raises(ValidationFailed):
        set_preference(Actor(caseworker, "web"), language="es", time_zone="Europe/Atlantis")
    set_preference(Actor(caseworker, "web"), language="es", time_zone="America/New_York")
    middleware = StaffTimeZoneMiddleware(lambda request: HttpResponse(timezone.get_current_timezone_name()))
    request = RequestFactory().get("/home/")
    request.user = caseworker
    assert middleware(request).content == b"America/New_York"
    request.user = world.users[Role.ATTORNEY]  # has not chosen: the deployment's zone
    assert middleware(request).content == b"America/Tijuana"


def test_a_default_zone_that_does_not_exist_is_refused_at_start(settings) -> None:  # noqa: ANN001
    from refugio.preferences.apps import check_defaults

    assert check_defaults() == []
    settings.REFUGIO_DEFAULT_TIME_ZONE = "America/Atlantis"
    settings.REFUGIO_DEFAULT_EMAIL_LANGUAGE = "xx"
    assert [e.id for e in check_defaults()] == ["refugio.E101", "refugio.E102"]
