"""Done-when of disclosure by construction: every route of the URLconf and every GET operation of the
OpenAPI document, found from them (not from a hand list), walked with every demo role.

- another organisation's object answers 404;
- a response that shows a person's or household's data has READ events for it, one per object, naming
  the field shown (checked with unique markers written into every name, narrative and note);
- a READ event that names a marked field comes with a response that carries it (no more than shown).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.accounts.services import create_api_token
from refugio.audit.models import Action, AuditEvent
from refugio.audit.services import Actor
from refugio.core.errors import NotFound
from refugio.escalations.models import Escalation, EscalationAttachment
from refugio.escalations.services import post_message
from refugio.legal.models import Representation, Representative
from refugio.legal.services import create_feed, offer_representation
from refugio.people.demo import DEMO_PASSWORD, USERS, load_demo
from refugio.people.models import Household, Person
from refugio.people.registration_code import display
from refugio.people.selectors import visible_households
from refugio.planning.models import Appointment, PlanRun

# Routes that show no personal data whatever the user: public forms, sign-in, static helpers.
# (The walk still requests them and fails if a marker shows up in their answer.)
SKIP_PREFIXES = ("admin/", "api/", "i18n/", "accounts/logout/")

# Which field names may stand for a marked value in an audit event.
ALIASES = {
    "given_names": re.compile(r"name"),
    "first_family_name": re.compile(r"name"),
    "narrative": re.compile(r"narrative"),
    "notes": re.compile(r"notes"),
    "registration_code": re.compile(r"registration_code|code"),
    "a_number": re.compile(r"a_number"),
    "shelter_name": re.compile(r"shelter"),
    "current_city": re.compile(r"city"),
}


@dataclass(frozen=True)
class Marker:
    text: str
    object_type: str
    object_id: str
    organisation_id: int
    field: str


def _mark_everyone() -> list[Marker]:
    """Give every person and household values that appear nowhere else, so a response can be read for them."""
    markers = []
    for n, person in enumerate(Person.objects.select_related("household").order_by("created_at", "id")):
        person.given_names = f"Gqz{n:04d}"
        person.first_family_name = f"Fqz{n:04d}"
        person.narrative = f"Nqz{n:04d} story"
        person.notes = f"Oqz{n:04d} note"
        person.a_number = f"A97{n:07d}"
        person.save(update_fields=["given_names", "first_family_name", "narrative", "notes", "a_number"])
        owner = person.household.owner_id
        for field, text in (
            ("given_names", person.given_names),
            ("first_family_name", person.first_family_name),
            ("narrative", person.narrative),
            ("notes", person.notes),
            ("a_number", person.a_number),
        ):
            markers.append(Marker(text, "person", str(person.id), owner, field))
    for n, household in enumerate(Household.objects.order_by("created_at", "id")):
        household.notes = f"Hqz{n:04d} note"
        household.shelter_name = f"Sqz{n:04d} shelter"
        household.current_city = f"Cqz{n:04d}"
        household.save(update_fields=["notes", "shelter_name", "current_city"])
        for field in ("notes", "shelter_name", "current_city"):
            markers.append(Marker(getattr(household, field), "household", str(household.id), household.owner_id, field))
        markers.append(
            Marker(
                display(household.registration_code),
                "household",
                str(household.id),
                household.owner_id,
                "registration_code",
            )
        )
    return markers


def _routes() -> Iterator[tuple[str, list[str]]]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, list[str]]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                yield route, re.findall(r"<(?:\w+:)?(\w+)>", route)

    yield from walk(get_resolver().url_patterns, "")


def _api_operations(client: Client) -> Iterator[tuple[str, list[str]]]:
    spec = client.get("/api/v1/openapi.json").json()
    for path, operations in spec["paths"].items():
        if "get" in operations:
            yield path, re.findall(r"{(\w+)}", path)


def _fill(route: str, values: dict[str, Any], api: bool) -> str:
    if api:
        return re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), route)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


def _walk_param_modules() -> list[Any]:
    import importlib
    import pkgutil

    import tests.walk_params as package

    return [importlib.import_module(f"tests.walk_params.{m.name}") for m in pkgutil.iter_modules(package.__path__)]


class ParamSource:
    """Ids of objects a user may see (own) and of objects of another organisation (foreign)."""

    def __init__(self, user: User) -> None:
        visible = visible_households(user)
        invisible = Household.objects.exclude(id__in=visible.values("id"))
        own_h, foreign_h = visible.order_by("created_at").first(), invisible.order_by("created_at").first()
        self.own: dict[str, Any] = {}
        self.foreign: dict[str, Any] = {}
        if own_h:
            self.own["household_id"] = own_h.id
            self.own["person_id"] = own_h.members.first().id
        if foreign_h:
            self.foreign["household_id"] = foreign_h.id
            self.foreign["person_id"] = foreign_h.members.first().id
        foreign_esc = Escalation.objects.exclude(household__in=visible).exclude(office__contacts__user=user).first()
        if foreign_esc:
            self.foreign["escalation_id"] = foreign_esc.id
        own_esc = (
            Escalation.objects.filter(household__in=visible).first()
            or Escalation.objects.filter(office__contacts__user=user).first()
        )
        if own_esc:
            self.own["escalation_id"] = own_esc.id
        attachment = EscalationAttachment.objects.filter(escalation_id=self.own.get("escalation_id")).first()
        if attachment:
            self.own["attachment_id"] = attachment.id
        run = PlanRun.objects.order_by("-id").first()
        if run:
            self.own["plan_id"] = run.id
        appointment = Appointment.objects.filter(plan__status="published").select_related("port").first()
        if appointment:
            self.own["port_code"], self.own["date"] = appointment.port.code, appointment.date.isoformat()
        offer = Representation.objects.filter(representative__user=user).first()
        if offer:
            self.own["representation_id"] = offer.id
        representative = Representative.objects.filter(user=user).first()
        actor = Actor(user, "web")
        if representative:
            self.own["token"] = create_feed(actor, representative=representative)
        elif organisations_where(user, Subject.POLICY, Verb.WRITE):
            self.own["token"] = create_feed(
                actor, organisation_id=min(organisations_where(user, Subject.POLICY, Verb.WRITE))
            )
        # Placement: runs of the user's allocating organisations, destinations whose capacity they read.
        from refugio.placement.models import AllocationRun, Destination
        from refugio.placement.selectors import allocating_organisations, capacity_destinations

        allocating = allocating_organisations(user)
        own_run = AllocationRun.objects.filter(organisation_id__in=allocating).first()
        foreign_run = AllocationRun.objects.exclude(organisation_id__in=allocating).first()
        if own_run:
            self.own["run_id"] = own_run.id
        if foreign_run:
            self.foreign["run_id"] = foreign_run.id
        try:
            readable = list(capacity_destinations(user).values_list("id", flat=True))
        except NotFound:  # the user reads no capacity
            readable = []
        if readable:
            self.own["destination_id"] = readable[0]
        unreadable = Destination.objects.exclude(id__in=readable).first()
        if unreadable:
            self.foreign["destination_id"] = unreadable.id
        # Routes that only take POST: any id will do, GET must not show anything.
        for name in ("grant_id", "consent_id", "flag_id", "feed_id", "merge_id", "assignment_id", "kind", "code"):
            self.own[name] = 1 if name.endswith("_id") else "x"
        # Messaging: a text from an unknown number is linked or dismissed by POST only.
        self.own["inbound_id"] = uuid.uuid4()
        # Each app with objects of its own adds their ids in tests/walk_params/<app>.py: `extend(user, own, foreign)`.
        for module in _walk_param_modules():
            module.extend(user, self.own, self.foreign)
        # Ids that name no object at all: must answer exactly like a foreign one.
        self.unknown = {"household_id": uuid.uuid4(), "person_id": uuid.uuid4(), "escalation_id": uuid.uuid4()}

    def values(self, side: str, params: list[str]) -> dict[str, Any] | None:
        source = self.own if side == "own" else self.foreign if side == "foreign" else self.unknown
        if all(p in source for p in params):
            return {p: source[p] for p in params}
        return None


def _reads_since(last_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=last_id, action=Action.READ))


def _check_response(where: str, body: str, reads: list[AuditEvent], markers: list[Marker]) -> list[str]:
    problems = []
    per_object: dict[tuple[str, str], int] = defaultdict(int)
    for event in reads:
        per_object[(event.object_type, event.object_id)] += 1
    problems += [f"{where}: {key} has {n} READ events" for key, n in per_object.items() if n > 1]
    for marker in markers:
        if marker.text not in body:
            continue
        covered = any(
            event.organisation_id == marker.organisation_id
            and any(ALIASES[marker.field].search(f) for f in event.fields)
            for event in reads
        )
        if not covered:
            problems.append(f"{where}: shows {marker.object_type}.{marker.field} with no READ event naming it")
    by_object = {(m.object_type, m.object_id, m.field): m for m in markers}
    for event in reads:
        for field in event.fields:
            marker = by_object.get((event.object_type, event.object_id, field))
            if marker is not None and marker.text not in body:
                problems.append(f"{where}: READ event names {event.object_type}.{field}, the answer does not show it")
    return problems


@pytest.fixture
def demo(db: object) -> list[Marker]:
    load_demo(households_per_org=4)
    caseworker = Actor(User.objects.get(username="legal-caseworker"), "web")
    # An attachment on an escalation and an offer waiting for the demo attorney, so their routes are walked.
    escalation = Escalation.objects.filter(household__owner__name="Demo Legal Aid").first()
    pdf = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 synthetic letter", content_type="application/pdf")
    post_message(caseworker, escalation=escalation, side="sender", body="See the letter.", files=[pdf])
    unrepresented = Household.objects.filter(owner__name="Demo Legal Aid").exclude(representations__isnull=False)
    attorney = Representative.objects.get(user__username="attorney")
    offer_representation(caseworker, household=unrepresented.first(), representative_id=attorney.id)
    return _mark_everyone()


@pytest.mark.django_db
@override_settings(REFUGIO_REQUIRE_OTP=False)
def test_every_route_and_operation_authorizes_and_audits_what_it_shows(demo: list[Marker]) -> None:
    markers = demo
    problems: list[str] = []
    walked = 0
    reached: set[str] = set()
    routes = [(r, p) for r, p in _routes() if not r.startswith(SKIP_PREFIXES)]
    for username, _org, _role in USERS:
        user = User.objects.get(username=username)
        page = Client(HTTP_ACCEPT_LANGUAGE="en")
        assert page.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD}).status_code == 302
        api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en")
        params = ParamSource(user)
        surfaces = [(page, route, names, False) for route, names in routes]
        surfaces += [(api, path, names, True) for path, names in _api_operations(api)]
        for client, route, names, is_api in surfaces:
            for side in ("own", "foreign", "unknown"):
                values = params.values(side, names) if names else ({} if side == "own" else None)
                if values is None:
                    continue
                url = _fill(route, values, is_api) if not is_api else _fill(route, values, True)
                last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
                response = client.get(url)
                walked += 1
                reached.add(route)
                where = f"{username} GET {url} ({side})"
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                    continue
                body = (
                    b"".join(response).decode(errors="replace")
                    if response.streaming
                    else response.content.decode(errors="replace")
                )
                reads = _reads_since(last)
                if side != "own":
                    if response.status_code not in (404, 405):
                        problems.append(f"{where}: answers {response.status_code} for another organisation's object")
                    if reads:
                        problems.append(f"{where}: recorded READ events for an object it did not show")
                problems += _check_response(where, body, reads, markers)
    assert walked > 300, walked
    missed = {route for route, _names in routes} - reached
    assert not missed, f"routes never walked (no object to fill them with): {sorted(missed)}"
    assert not problems, "\n".join(problems[:60]) + f"\n… {len(problems)} problems in all"
