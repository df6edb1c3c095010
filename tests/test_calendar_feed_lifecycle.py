"""A calendar feed carries its owner's access and dies with it: a revoked grant takes its hearings out, an
ended membership, a lost role or a deactivated account makes the URL answer 404. The URL, a credential,
never reaches a log."""

from __future__ import annotations

import datetime as dt
import io
import logging
import sys
import types
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from refugio.accounts.models import Membership, Organisation, Role
from refugio.audit.services import Actor
from refugio.legal.models import CalendarFeed, Hearing, Representative
from refugio.legal.services import create_feed, offer_representation, respond_to_offer
from refugio.people.models import SharingGrant
from refugio.people.services import record_consent, revoke_grant
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose

from .conftest import World, make_user


@pytest.fixture
def represented(world: World) -> World:
    """The own household, represented by a volunteer of another organisation (so shared with it), with a
    hearing in three weeks; the volunteer has a feed."""
    network = Organisation.objects.create(name="Volunteer Network", kind="attorney_network")
    lawyer = make_user("volunteer", network, Role.ATTORNEY)
    representative = Representative.objects.create(
        organisation=network, user=lawyer, name="Volunteer", kind="attorney", languages=["es"], courts=["ELP"]
    )
    coordinator = Actor(world.users[Role.CASEWORKER])
    record_consent(coordinator, household=world.own, purpose=ConsentPurpose.LEGAL_REFERRAL, method=ConsentMethod.VERBAL)
    offer = offer_representation(coordinator, household=world.own, representative_id=representative.id)
    respond_to_offer(Actor(lawyer), offer=offer, accept=True)
    for household in (world.own, world.shared):
        Hearing.objects.create(
            household=household,
            court="ELP",
            date=dt.date.today() + dt.timedelta(days=21),
            time=dt.time(9, 30),
            kind="master",
            mode="in_person",
        )
    world.network, world.lawyer, world.representative = network, lawyer, representative
    world.feed_token = create_feed(Actor(lawyer), representative=representative)
    world.org_feed_token = create_feed(Actor(world.users[Role.ORG_ADMIN]), organisation_id=world.home.id)
    return world


def _codes(token: str) -> set[str] | None:
    """The registration codes the feed lists, or None when it answers 404."""
    response = Client().get(f"/calendar/{token}.ics")
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    return {str(e["summary"]).split(" · ")[-1] for e in Calendar.from_ical(response.content).walk("VEVENT")}


def _revoked(token_owner: User) -> bool:
    return all(f.revoked_at is not None for f in CalendarFeed.objects.filter(created_by=token_owner))


def test_a_revoked_grant_takes_its_hearings_out_of_the_feed(represented: World) -> None:
    w = represented
    assert _codes(w.feed_token) == {w.own.display_code}
    grant = SharingGrant.objects.get(household=w.own, organisation=w.network)
    revoke_grant(Actor(w.users[Role.CASEWORKER]), grant=grant)
    assert _codes(w.feed_token) == set()  # still a representation on paper, but no longer visible


def test_an_expired_grant_takes_its_hearings_out_of_the_organisation_feed(represented: World) -> None:
    w = represented
    assert _codes(w.org_feed_token) == {w.own.display_code, w.shared.display_code}
    SharingGrant.objects.filter(household=w.shared, organisation=w.home).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert _codes(w.org_feed_token) == {w.own.display_code}


def test_an_ended_membership_kills_the_feed(represented: World) -> None:
    w = represented
    Membership.objects.get(user=w.lawyer).delete()
    assert CalendarFeed.objects.get(created_by=w.lawyer).revoked_at is not None  # revoked by the signal
    assert _codes(w.feed_token) is None
    Membership.objects.create(user=w.lawyer, organisation=w.network, role=Role.ATTORNEY)
    assert _codes(w.feed_token) is None  # coming back does not bring an old URL back


def test_a_deactivated_account_kills_its_feeds(represented: World) -> None:
    w = represented
    admin = w.users[Role.ORG_ADMIN]
    for user in (w.lawyer, admin):
        user.is_active = False
        user.save()
        assert _revoked(user)
    assert _codes(w.feed_token) is None and _codes(w.org_feed_token) is None


def test_the_feed_checks_its_owner_at_every_request(represented: World) -> None:
    """Changes that send no signal (a bulk update, a role changed in place) still end the feed."""
    w = represented
    User.objects.filter(pk=w.lawyer.pk).update(is_active=False)
    assert _codes(w.feed_token) is None
    User.objects.filter(pk=w.lawyer.pk).update(is_active=True)
    assert _codes(w.feed_token) == {w.own.display_code}
    Membership.objects.filter(user=w.lawyer).update(role=Role.ANALYST)  # a role that reads no case
    assert _codes(w.feed_token) is None

    admin = w.users[Role.ORG_ADMIN]
    assert _codes(w.org_feed_token) is not None
    Membership.objects.filter(user=admin).update(role=Role.CASEWORKER)  # no longer the organisation's admin
    assert _codes(w.org_feed_token) is None


def test_another_membership_ending_leaves_the_feed_alone(represented: World) -> None:
    w = represented
    elsewhere = Membership.objects.create(user=w.lawyer, organisation=w.stranger, role=Role.ATTORNEY)
    elsewhere.delete()
    assert _codes(w.feed_token) == {w.own.display_code}
    assert CalendarFeed.objects.get(created_by=w.lawyer).revoked_at is None


class _Response:
    status = "404 Not Found"
    sent = 10
    headers: list[tuple[str, str]] = []


def test_the_access_log_never_shows_a_feed_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """`refugio serve`'s own gunicorn configuration, given a request for a feed."""
    from gunicorn.app.base import BaseApplication

    from refugio import cli

    servers: list[Any] = []
    monkeypatch.setattr(BaseApplication, "run", lambda self: servers.append(self))
    monkeypatch.setitem(sys.modules, "refugio.wsgi", types.SimpleNamespace(application=object()))
    cli._run_gunicorn("127.0.0.1", 8599, workers=1)
    cfg = servers[0].cfg
    logger = cfg.logger_class(cfg)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.access_log.addHandler(handler)
    token = "cal_" + "Zz9_" * 11
    try:
        logger.access(
            _Response(),
            types.SimpleNamespace(headers=[("REFERER", f"https://refugio.example/calendar/{token}.ics")]),
            {
                "REMOTE_ADDR": "203.0.113.7",
                "REQUEST_METHOD": "GET",
                "RAW_URI": f"/calendar/{token}.ics",
                "PATH_INFO": f"/calendar/{token}.ics",
                "QUERY_STRING": "",
                "SERVER_PROTOCOL": "HTTP/1.1",
            },
            dt.timedelta(milliseconds=12),
        )
    finally:
        logger.access_log.removeHandler(handler)
    line = stream.getvalue()
    assert line.startswith('203.0.113.7 "GET /calendar/[redacted].ics" 404 10 12ms')  # the rest stays readable
    assert token not in line
