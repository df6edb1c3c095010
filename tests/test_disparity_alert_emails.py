"""Disparity alerts by e-mail: the organisation's admins are told once per alert, after the check is committed, in
their language, with the group, the measure, the ratios with their intervals and a link, and no personal data."""

from __future__ import annotations

import pytest
from django.core import mail

from refugio.accounts.models import Role
from refugio.audit.services import Actor
from refugio.disparity import services
from refugio.disparity.models import DisparityAlert, DisparityCheck
from refugio.disparity.tasks import email_alerts
from refugio.people.models import Household, Person
from refugio.preferences.models import StaffPreference
from tests.conftest import World, make_user
from tests.test_disparity_monitor import _households, _published


@pytest.fixture
def planted(world: World) -> dict[str, list[Household]]:
    """In `home`: 11 Honduran households of which all entered, 12 Haitian of which 2 did."""
    honduran = _households(world, "HN", 11)
    haitian = _households(world, "HT", 12)
    _published(honduran + haitian[:2])
    return {"HN": honduran, "HT": haitian}


@pytest.fixture
def admins(world: World) -> list[object]:
    admin = world.users[Role.ORG_ADMIN]
    admin.email = "admin@home.example"
    admin.save()
    other = make_user("second-admin", world.home, Role.ORG_ADMIN)
    other.email = "second@home.example"
    other.save()
    stranger = make_user("stranger-admin", world.stranger, Role.ORG_ADMIN)
    stranger.email = "admin@stranger.example"
    stranger.save()
    analyst = world.users[Role.ANALYST]
    analyst.email = "analyst@home.example"
    analyst.save()
    return [admin, other]


def _run(world: World, capture) -> None:  # noqa: ANN001 - the pytest-django fixture
    with capture(execute=True):
        services.run_monitor(Actor(None, "system"), organisation_id=world.home.id)


def test_each_admin_gets_one_email_without_personal_data(
    world, planted, admins, django_capture_on_commit_callbacks
) -> None:
    _run(world, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@home.example", "second@home.example"]
    body = mail.outbox[0].body
    assert "Nationality" in body and "Haïti" in body and "Honduras" in body
    assert "Ratio of entry rates" in body and "95% interval" in body and "hazard ratio" in body
    assert f"/disparities/?organisation={world.home.id}#alerts" in body
    for h in Household.objects.all():
        assert str(h.id) not in body and h.registration_code not in body and h.display_code not in body
    for p in Person.objects.all():
        assert p.given_names not in body and p.first_family_name not in body
    assert DisparityAlert.objects.filter(emailed_at__isnull=False).count() == 2


def test_re_running_the_monitor_does_not_send_again(world, planted, admins, django_capture_on_commit_callbacks) -> None:
    _run(world, django_capture_on_commit_callbacks)
    _run(world, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2  # one per admin, from the first run only
    second = DisparityAlert.objects.order_by("-check_run__run_at", "-id")[:2]
    assert all(a.repeat_of_id is not None for a in second)
    # Running the same check's task again sends nothing either.
    assert email_alerts.call(second[0].check_run_id) == 0
    first_check = DisparityAlert.objects.filter(repeat_of__isnull=True).first().check_run_id
    assert email_alerts.call(first_check) == 0
    assert len(mail.outbox) == 2


def test_a_group_flagged_again_after_a_clear_check_is_emailed_again(
    world, planted, admins, django_capture_on_commit_callbacks
) -> None:
    _run(world, django_capture_on_commit_callbacks)
    # Most Haitian households enter: the next check flags nobody.
    _published(planted["HT"][2:11])
    _run(world, django_capture_on_commit_callbacks)
    assert DisparityCheck.objects.first().flagged == 0 and len(mail.outbox) == 2
    # Twelve more Haitian households wait and none enters: flagged again, a new alert, e-mailed again.
    _households(world, "HT", 12)
    _run(world, django_capture_on_commit_callbacks)
    assert DisparityCheck.objects.first().flagged == 1
    assert len(mail.outbox) == 4 and "Haïti" in mail.outbox[-1].body


def test_no_email_is_sent_before_the_check_is_committed(world, planted, admins) -> None:
    services.run_monitor(Actor(None, "system"), organisation_id=world.home.id)  # on_commit never fires here
    assert mail.outbox == []


def test_the_email_is_in_the_admins_language(world, planted, admins, django_capture_on_commit_callbacks) -> None:
    StaffPreference.objects.update_or_create(
        user=admins[1], defaults={"language": "es", "time_zone": "America/Tijuana"}
    )
    _run(world, django_capture_on_commit_callbacks)
    spanish = next(m for m in mail.outbox if m.to == ["second@home.example"])
    english = next(m for m in mail.outbox if m.to == ["admin@home.example"])
    assert "Nacionalidad" in spanish.body and "Nationality" not in spanish.body
    assert "Nationality" in english.body
