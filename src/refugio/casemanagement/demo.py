"""Community case management: demo data for `refugio demo` (synthetic only). Idempotent: a second run adds
nothing.

Case plans for about forty Demo Legal Aid households, kept by the demo caseworker, started up to twelve weeks
ago, with their check-ins: most attended, a few missed (each opened outreach: a message where the household
agreed to it, for some a call and a new date). Past hearings of those households with their outcomes, so the
rates report shows real numbers."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from refugio.audit.services import Actor
from refugio.casemanagement import services
from refugio.casemanagement.models import (
    CasePlan,
    CheckIn,
    CheckInMode,
    CheckInStatus,
    HearingOutcome,
    Outreach,
    OutreachOutcome,
    OutreachStatus,
)
from refugio.legal.models import Hearing
from refugio.people.models import Household

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from refugio.accounts.models import Organisation

PLANS = 40
SEED = 404


def load_casemanagement_demo(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    legal = orgs.get("Demo Legal Aid")
    caseworker = users.get("legal-caseworker")
    admin = users.get("legal-admin")
    if legal is None or caseworker is None:
        return
    if CasePlan.objects.filter(organisation=legal).exists():
        return  # already loaded
    actor = Actor(caseworker, "demo")
    today = timezone.localdate()
    rng = random.Random(SEED)  # noqa: S311 - synthetic data
    households = list(
        Household.objects.filter(owner=legal, merged_into__isnull=True).order_by("registration_code")[:PLANS]
    )
    for n, household in enumerate(households):
        started = today - dt.timedelta(days=84 - (n % 6))
        plan = services.create_plan(
            actor,
            household=household,
            caseworker_id=(admin.pk if admin is not None and n % 8 == 7 else caseworker.pk),
            started_on=started,
            weekly_for_weeks=4,
            then_every_days=14,
            mode=CheckInMode.IN_PERSON if n % 3 else CheckInMode.PHONE,
            goals="Attend every hearing; find a lawyer; enrol the children in school.",
        )
        _past_check_ins(plan, rng, today, caseworker, always_miss=n % 10 == 1)
        _past_hearing(household, rng, today, n, caseworker)
    # The missed check-ins open outreach (a message only where the household agreed to be contacted).
    services.mark_missed_check_ins(today)
    for k, outreach in enumerate(Outreach.objects.filter(plan__organisation=legal, status=OutreachStatus.OPEN)):
        if k % 2 == 0:
            services.add_outreach_step(
                actor, outreach=outreach, kind="phone_call", reached=True, note="Was sick; new date agreed."
            )
            services.close_outreach(
                actor,
                outreach=outreach,
                outcome=OutreachOutcome.RESCHEDULED,
                new_date=today + dt.timedelta(days=2),
                mode=CheckInMode.IN_PERSON,
            )


def _past_check_ins(plan: CasePlan, rng: random.Random, today: dt.date, recorder: User, *, always_miss: bool) -> None:
    """Check-ins already past: most attended, about one in twenty left scheduled (the sweep marks it missed),
    a few excused. With `always_miss`, the third is missed (so even a small demo has outreach)."""
    grace = today - dt.timedelta(days=services.GRACE_DAYS + 1)
    for k, check_in in enumerate(CheckIn.objects.filter(plan=plan, due_on__lte=grace).order_by("due_on")):
        draw = rng.random()
        if draw < 0.05 or (always_miss and k == 2):
            continue  # missed: the sweep opens outreach
        status = CheckInStatus.EXCUSED if draw < 0.07 else CheckInStatus.ATTENDED
        moment = dt.datetime.combine(check_in.due_on, dt.time(10), tzinfo=timezone.get_current_timezone())
        CheckIn.objects.filter(pk=check_in.pk).update(status=status, recorded_at=moment, recorded_by=recorder)


def _past_hearing(household: Household, rng: random.Random, today: dt.date, n: int, recorder: User) -> None:
    """A master calendar hearing in the last twelve weeks, with its outcome (most appeared)."""
    if n % 4 == 3:
        return
    head = household.members.filter(relationship_to_head="head").first()
    hearing = Hearing.objects.create(
        household=household,
        person=head,
        court=(head.immigration_court if head is not None and head.immigration_court else "SDI"),
        date=today - dt.timedelta(days=rng.randint(3, 80)),
        time=dt.time(9, 0),
        kind="master",
        mode="in_person",
    )
    draw = rng.random()
    outcome = (
        HearingOutcome.DID_NOT_APPEAR
        if draw < 0.04
        else HearingOutcome.RESCHEDULED
        if draw < 0.1
        else HearingOutcome.APPEARED
    )
    services.record_hearing_outcome(Actor(recorder, "demo"), hearing=hearing, outcome=outcome, today=today)
