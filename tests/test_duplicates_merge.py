"""'Same person' in two households merges them: members, consents, grants, hearings, representations and
escalations move to the surviving household, the duplicate household is closed (kept, never deleted) and
leaves lists and plans; an org admin can undo it, which moves back exactly what moved, or refuses and says why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.core.errors import PermissionDenied, ValidationFailed
from refugio.escalations.models import AgencyOffice, Escalation
from refugio.escalations.services import raise_escalation
from refugio.legal.models import Hearing, Representation, Representative
from refugio.people.models import (
    Consent,
    DuplicateFlag,
    DuplicateStatus,
    Household,
    HouseholdMerge,
    Person,
    PersonVulnerability,
    SharingGrant,
)
from refugio.people.selectors import open_duplicates, visible_households
from refugio.people.services import (
    create_household,
    flag_unchecked_duplicates,
    merge_households,
    record_consent,
    unmerge_households,
)
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose, HouseholdStatus
from refugio.planning.models import Appointment, PlanRun, PlanStatus, PortOfEntry
from refugio.planning.services import planner_input
from refugio.triage.models import TriageScore

from .conftest import CHILD, HEAD, HOUSEHOLD, World
from .test_pages import signed_in

LUIS = {
    "given_names": "Luis",
    "first_family_name": "Hernández",
    "date_of_birth": "2015",
    "relationship_to_head": "child",
}


def _actor(world: World, role: str = Role.CASEWORKER) -> Actor:
    return Actor(world.users[role], "web")


@pytest.fixture
def pair(world: World) -> dict[str, Any]:
    """world.own (earlier: the head and Ana) and a newer household registering the same head again with Luis,
    each with what a case collects: a consent, a hearing, a representation, an escalation, appointments."""
    actor = _actor(world)
    head = {**HEAD, "vulnerabilities": ["pregnant"]}
    newer = create_household(actor, organisation_id=world.home.id, data=dict(HOUSEHOLD), members=[head, dict(LUIS)])
    flag_unchecked_duplicates()
    flag = DuplicateFlag.objects.get(person__household=newer, candidate__household=world.own)
    collapsed = flag.person
    consent = record_consent(
        actor,
        household=newer,
        purpose=ConsentPurpose.LEGAL_REFERRAL,
        method=ConsentMethod.VERBAL,
        person_id=str(collapsed.id),
    )
    grant = SharingGrant.objects.create(
        household=newer, organisation=world.partner, purpose="Shelter", expires_at=timezone.now() + dt.timedelta(days=9)
    )
    hearing = Hearing.objects.create(
        household=newer, person=collapsed, court="ELP", date=dt.date(2027, 3, 1), kind="master", mode="in_person"
    )
    attorney = Representative.objects.create(organisation=world.home, name="A. Attorney", kind="attorney")
    representation = Representation.objects.create(household=newer, representative=attorney, offered_at=timezone.now())
    office = AgencyOffice.objects.create(organisation=world.agency, name="CBP Test", kind="cbp_port")
    escalation = raise_escalation(
        actor, household=newer, office_id=office.id, category="documents", summary="Papers", person_id=str(collapsed.id)
    )
    port = PortOfEntry.objects.create(code="SYS", name="San Ysidro", city="San Diego", destination="San Diego")
    published = PlanRun.objects.create(status=PlanStatus.PUBLISHED, published_at=timezone.now())
    ready = PlanRun.objects.create(status=PlanStatus.READY)
    future = timezone.localdate() + dt.timedelta(days=5)
    kept = Appointment.objects.create(
        plan=published, household=newer, port=port, date=future, lane="fifo", people=2, tier=3, priority=1
    )
    proposed = Appointment.objects.create(
        plan=ready, household=newer, port=port, date=future, lane="fifo", people=2, tier=3, priority=1
    )
    return {
        "newer": newer,
        "flag": flag,
        "collapsed": collapsed,
        "surviving": flag.candidate,
        "luis": newer.members.get(given_names="Luis"),
        "consent": consent,
        "grant": grant,
        "hearing": hearing,
        "representation": representation,
        "escalation": escalation,
        "kept": kept,
        "proposed": proposed,
    }


def _where(pair: dict[str, Any]) -> dict[str, Any]:
    """Where every object of the pair is: the state an undo must give back exactly."""
    return {
        "people": sorted(Person.objects.values_list("id", "household_id", "relationship_to_head", "merged_into_id")),
        "consents": sorted(Consent.objects.values_list("id", "household_id", "person_id")),
        "grants": sorted(SharingGrant.objects.values_list("id", "household_id")),
        "hearings": sorted(Hearing.objects.values_list("id", "household_id", "person_id")),
        "representations": sorted(Representation.objects.values_list("id", "household_id")),
        "escalations": sorted(Escalation.objects.values_list("id", "household_id", "person_id")),
        "vulnerabilities": sorted(PersonVulnerability.objects.values_list("person_id", "code", "confirmed_at")),
        "households": sorted(Household.objects.values_list("id", "status", "merged_into_id", "closed_at")),
        "flag": DuplicateFlag.objects.filter(pk=pair["flag"].pk).values_list("status", flat=True).get(),
    }


def _audited(object_type: str, object_id: Any, field: str) -> bool:  # noqa: ANN401
    events = AuditEvent.objects.filter(action="update", object_type=object_type, object_id=str(object_id))
    return any(field in event.fields for event in events)


def test_merge_moves_everything_and_closes_the_duplicate(world: World, pair: dict[str, Any]) -> None:
    newer, surviving = pair["newer"], pair["surviving"]
    before_score = TriageScore.objects.get(household=world.own).computed_at
    merge = merge_households(_actor(world), flag=pair["flag"])

    newer.refresh_from_db()
    assert newer.status == HouseholdStatus.CLOSED and newer.merged_into == world.own and newer.closed_at
    assert Household.objects.filter(pk=newer.pk).exists()  # never deleted
    assert set(world.own.members.values_list("given_names", flat=True)) == {"María José", "Ana", "Luis"}
    collapsed = Person.objects.get(pk=pair["collapsed"].pk)
    assert collapsed.merged_into_id == surviving.id and collapsed.household_id == newer.id
    consent = Consent.objects.get(pk=pair["consent"].pk)
    assert consent.household_id == world.own.id and consent.person_id == surviving.id
    assert SharingGrant.objects.get(pk=pair["grant"].pk).household_id == world.own.id
    hearing = Hearing.objects.get(pk=pair["hearing"].pk)
    assert hearing.household_id == world.own.id and hearing.person_id == surviving.id
    assert Representation.objects.get(pk=pair["representation"].pk).household_id == world.own.id
    escalation = Escalation.objects.get(pk=pair["escalation"].pk)
    assert escalation.household_id == world.own.id and escalation.person_id == surviving.id
    # The surviving record gains the vulnerability only the duplicate had; the household is rescored.
    assert PersonVulnerability.objects.filter(person=surviving, code="pregnant").exists()
    assert TriageScore.objects.get(household=world.own).computed_at > before_score
    assert pair["flag"].__class__.objects.get(pk=pair["flag"].pk).status == DuplicateStatus.MERGED

    # Out of lists and plans: no page lists it, the planner never sees it, no proposal of it can be published.
    assert not visible_households(world.users[Role.CASEWORKER]).filter(pk=newer.pk).exists()
    households, _, _ = planner_input(timezone.localdate())
    assert str(newer.pk) not in {h.id for h in households} and newer.pk not in {h.id for h in households}
    assert not Appointment.objects.filter(pk=pair["proposed"].pk).exists()
    assert Appointment.objects.filter(pk=pair["kept"].pk).exists()  # the published plan is history
    assert merge.moved["planning.appointment.published"] == [str(pair["kept"].pk)]

    # One event per object, on both households and on the merge itself; older events keep their ids.
    assert _audited("household", newer.id, "merged_into") and _audited("household", world.own.id, "members")
    assert _audited("household_merge", merge.pk, "moved") and _audited("hearing", pair["hearing"].pk, "household")
    assert _audited("person", pair["luis"].pk, "household") and _audited(
        "escalation", pair["escalation"].pk, "household"
    )
    assert _audited("consent", pair["consent"].pk, "household")


def test_undo_restores_exactly(world: World, pair: dict[str, Any]) -> None:
    before = _where(pair)
    merge = merge_households(_actor(world), flag=pair["flag"])
    assert _where(pair) != before
    unmerge_households(_actor(world, Role.ORG_ADMIN), merge=merge)
    after = _where(pair)
    # The proposal in the unpublished plan is not restored: the next plan run places the household again.
    assert after == before
    assert open_duplicates(world.users[Role.CASEWORKER]).filter(pk=pair["flag"].pk).exists()  # to decide again
    assert HouseholdMerge.objects.get(pk=merge.pk).undone_at is not None
    assert AuditEvent.objects.filter(object_type="household_merge", object_id=str(merge.pk), fields=["undone_at"])
    # And it can be merged again, the other way round this time.
    again = merge_households(_actor(world), flag=pair["flag"], keep="newer")
    assert Household.objects.get(pk=world.own.pk).merged_into_id == pair["newer"].pk and again.pk != merge.pk


def test_only_an_org_admin_undoes(world: World, pair: dict[str, Any]) -> None:
    merge = merge_households(_actor(world), flag=pair["flag"])
    for role in (Role.CASEWORKER, Role.ATTORNEY, Role.SHELTER_STAFF, Role.ANALYST):
        with pytest.raises(PermissionDenied):
            unmerge_households(_actor(world, role), merge=merge)
    assert Household.objects.get(pk=pair["newer"].pk).merged_into_id == world.own.pk
    unmerge_households(_actor(world, Role.ORG_ADMIN), merge=merge)


def test_only_the_owners_caseworkers_merge(world: World, pair: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        merge_households(Actor(world.users["partner_caseworker"], "web"), flag=pair["flag"])
    with pytest.raises(PermissionDenied):
        merge_households(_actor(world, Role.SHELTER_STAFF), flag=pair["flag"])
    assert Household.objects.get(pk=pair["newer"].pk).merged_into_id is None


def test_undo_twice_or_after_changes_is_refused_with_the_reason(world: World, pair: dict[str, Any]) -> None:
    admin = _actor(world, Role.ORG_ADMIN)
    merge = merge_households(_actor(world), flag=pair["flag"])
    other = create_household(
        _actor(world),
        organisation_id=world.home.id,
        data=dict(HOUSEHOLD),
        members=[dict(CHILD, relationship_to_head="head")],
    )
    Hearing.objects.filter(pk=pair["hearing"].pk).update(household=other)  # the hearing was moved since
    with pytest.raises(ValidationFailed) as refused, translation.override("en"):
        unmerge_households(admin, merge=merge)
    assert "hearing" in refused.value.fields["merge"]
    assert Household.objects.get(pk=pair["newer"].pk).merged_into_id == world.own.pk  # nothing half-done
    assert Person.objects.get(pk=pair["luis"].pk).household_id == world.own.pk

    Hearing.objects.filter(pk=pair["hearing"].pk).update(household=world.own)
    stale = HouseholdMerge.objects.get(pk=merge.pk)  # a second admin's page, loaded before the first undo
    unmerge_households(admin, merge=merge)
    with pytest.raises(ValidationFailed) as twice, translation.override("en"):
        unmerge_households(admin, merge=stale)
    assert "already undone" in twice.value.fields["merge"]


def test_undo_refused_when_the_survivor_was_merged_away(world: World, pair: dict[str, Any]) -> None:
    merge = merge_households(_actor(world), flag=pair["flag"])
    Household.objects.filter(pk=world.own.pk).update(merged_into=pair["newer"])  # as if merged on elsewhere
    with pytest.raises(ValidationFailed) as refused, translation.override("en"):
        unmerge_households(_actor(world, Role.ORG_ADMIN), merge=merge)
    assert "undo that merge first" in refused.value.fields["merge"]


def test_pages_compare_merge_and_undo(world: World, pair: dict[str, Any]) -> None:
    caseworker = signed_in(world.users[Role.CASEWORKER])
    flag = pair["flag"]
    listing = caseworker.get("/duplicates/").content.decode()
    assert f"/duplicates/{flag.id}/" in listing
    compare = caseworker.get(f"/duplicates/{flag.id}/").content.decode()
    assert "Luis" in compare and "Ana" in compare  # both households side by side
    assert AuditEvent.objects.filter(action="read", object_type="duplicate_flag", object_id=str(flag.id)).exists()
    assert caseworker.post(f"/duplicates/{flag.id}/", {"same": "yes", "keep": "earlier"}).status_code == 302
    merge = HouseholdMerge.objects.get()
    assert Household.objects.get(pk=pair["newer"].pk).merged_into_id == world.own.pk
    assert caseworker.get(f"/cases/{pair['newer'].pk}/").status_code == 404  # closed: out of the pages

    # The undo page is an admin's; for anyone else it does not exist.
    assert caseworker.get(f"/duplicates/merges/{merge.pk}/").status_code == 404
    assert caseworker.post(f"/duplicates/merges/{merge.pk}/").status_code == 404
    admin = signed_in(world.users[Role.ORG_ADMIN])
    assert f"/duplicates/merges/{merge.pk}/" in admin.get("/duplicates/").content.decode()
    assert f"/duplicates/merges/{merge.pk}/" in admin.get(f"/cases/{world.own.pk}/").content.decode()
    assert f"/duplicates/merges/{merge.pk}/" not in caseworker.get(f"/cases/{world.own.pk}/").content.decode()
    assert "Luis" in admin.get(f"/duplicates/merges/{merge.pk}/").content.decode()
    assert admin.post(f"/duplicates/merges/{merge.pk}/").status_code == 302
    assert Household.objects.get(pk=pair["newer"].pk).merged_into_id is None


def test_moved_members_relationships_are_kept_for_the_undo(world: World) -> None:
    """The duplicate is not the head of its household: the moved members' relationships to the head no longer
    hold, so they become "other relative" (one head) until a caseworker checks; an undo gives them back,
    unless someone changed one since."""
    from refugio.people.services import update_person

    actor = _actor(world)
    pedro = {
        "given_names": "Pedro",
        "first_family_name": "Ramos",
        "date_of_birth": "1985",
        "relationship_to_head": "head",
    }
    maria = {**HEAD, "relationship_to_head": "spouse"}
    newer = create_household(
        actor, organisation_id=world.home.id, data=dict(HOUSEHOLD), members=[pedro, maria, dict(LUIS)]
    )
    flag_unchecked_duplicates()
    flag = DuplicateFlag.objects.get(person__household=newer, candidate__household=world.own)
    merge = merge_households(actor, flag=flag)
    moved = {p.given_names: p.relationship_to_head for p in world.own.members.all()}
    assert moved == {"María José": "head", "Ana": "child", "Pedro": "other_relative", "Luis": "other_relative"}

    luis = Person.objects.get(household=world.own, given_names="Luis")
    update_person(actor, person=luis, changes={"relationship_to_head": "grandchild"})
    with pytest.raises(ValidationFailed) as refused:
        unmerge_households(_actor(world, Role.ORG_ADMIN), merge=merge)
    assert "Luis" in refused.value.fields["merge"]
    update_person(actor, person=luis, changes={"relationship_to_head": "other_relative"})
    unmerge_households(_actor(world, Role.ORG_ADMIN), merge=merge)
    back = {p.given_names: p.relationship_to_head for p in newer.members.all()}
    assert back == {"Pedro": "head", "María José": "spouse", "Luis": "child"}


def test_the_status_lookup_of_a_merged_code_answers_with_the_household_kept(world: World, pair: dict[str, Any]) -> None:
    from refugio.registration.selectors import household_for

    newer = pair["newer"]
    assert household_for(newer.registration_code, HEAD["date_of_birth"]) == newer
    merge_households(_actor(world), flag=pair["flag"])
    assert household_for(newer.registration_code, HEAD["date_of_birth"]) == world.own
    assert household_for(newer.registration_code, "1990-03-13") is None  # still only with the right date of birth
