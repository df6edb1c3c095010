"""/home/: each signed-in staff member's work, one section per role they hold in each organisation.

Thin: refugio.home.selectors finds what there is, refugio.disclosure shows the people in it (one READ
per object shown, through the surfaces of refugio.home.surfaces), counts are shown as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from refugio.accounts.models import Membership, Role
from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import memberships_of, organisations_where
from refugio.audit.request import actor_from_request
from refugio.audit.services import Actor
from refugio.disclosure import disclose_many
from refugio.home import selectors
from refugio.home.charts import ChartBar, bar_chart
from refugio.home.surfaces import HOME_ARRIVALS, HOME_HEARINGS, HOME_HOUSEHOLDS, HOME_OFFERS

LIST_LIMIT = 10  # a home page points the way; the full lists are on the pages it links to


@never_cache
@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request, "web")
    memberships = sorted(
        memberships_of(cast(AbstractBaseUser, request.user)),  # login_required: never anonymous
        key=lambda m: ([role for role, _builder in SECTIONS].index(m.role), m.organisation.name),
    )
    today = timezone.localdate()
    sections = [_section(actor, m, today) for m in memberships]
    return render(request, "home/home.html", {"sections": sections, "today": today})


def _section(actor: Actor, membership: Membership, today: dt.date) -> dict[str, Any]:
    section: dict[str, Any] = {
        "role": membership.role,
        "role_label": Role(membership.role).label,
        "organisation": membership.organisation.name,
        "template": f"home/_{membership.role}.html",
        "slug": f"{membership.role}-{membership.organisation_id}",
    }
    builder = dict(SECTIONS)[membership.role]
    section.update(builder(actor, membership.organisation_id, today))
    return section


def _user(actor: Actor) -> Any:  # noqa: ANN401
    return actor.user


def _caseworker(actor: Actor, org_id: int, today: dt.date) -> dict[str, Any]:
    user = _user(actor)
    week_end = today + selectors.WEEK
    mine = selectors.my_households(user, org_id)
    hearings = selectors.hearings_between(user, org_id, today, week_end)
    arrivals = selectors.arrivals_between(user, org_id, today, week_end)
    replies = selectors.replies_awaiting(user, org_id)
    return {
        "my_households_count": mine.count(),
        "my_households": disclose_many(
            actor, HOME_HOUSEHOLDS, mine.order_by("-updated_at").prefetch_related("members")[:LIST_LIMIT]
        ),
        "hearings_count": hearings.count(),
        "hearings": disclose_many(actor, HOME_HEARINGS, hearings[:LIST_LIMIT]),
        "deadlines_count": selectors.filing_deadlines_between(user, org_id, today, week_end),
        "arrivals_count": arrivals.count(),
        "arrivals": disclose_many(actor, HOME_ARRIVALS, arrivals[:LIST_LIMIT]),
        "replies": [_escalation_row(e, unread=True) for e in replies[:LIST_LIMIT]],
        "replies_count": replies.count(),
        "week_end": week_end,
    }


def _attorney(actor: Actor, org_id: int, today: dt.date) -> dict[str, Any]:
    user = _user(actor)
    end = today + selectors.HEARING_HORIZON
    mine = selectors.my_hearings(user, org_id, today, end)
    org_hearings = selectors.hearings_between(user, org_id, today, today + dt.timedelta(days=14))
    offers = selectors.offers_to_answer(user, org_id)
    return {
        "hearings_count": mine.count(),
        "hearings": disclose_many(actor, HOME_HEARINGS, mine[:LIST_LIMIT]),
        "org_hearings_count": org_hearings.count(),
        "deadlines_count": selectors.my_filing_deadlines(user, org_id, today, end),
        "offers_count": offers.count(),
        "offers": disclose_many(actor, HOME_OFFERS, offers[:LIST_LIMIT]),
        "horizon_end": end,
    }


def _shelter(actor: Actor, org_id: int, today: dt.date) -> dict[str, Any]:
    user = _user(actor)
    end = today + dt.timedelta(days=14)
    arrivals = selectors.arrivals_between(user, org_id, today, end)
    return {
        "arrivals_count": arrivals.count(),
        "arrival_people": sum(a.people for a in arrivals),
        "arrivals": disclose_many(actor, HOME_ARRIVALS, arrivals[: LIST_LIMIT * 2]),
        "beds": selectors.beds_between(user, org_id, today, today + selectors.WEEK),
        "in_shelter_count": selectors.in_shelter_count(user, org_id),
        "horizon_end": end,
    }


def _escalation_row(escalation: Any, *, unread: bool) -> dict[str, Any]:  # noqa: ANN401
    """An escalation's envelope (never personal: the reference, office, category, status, deadlines)."""
    return {
        "id": escalation.id,
        "reference": escalation.reference,
        "office": escalation.office.name,
        "category_label": escalation.get_category_display(),
        "status_label": escalation.get_status_display(),
        "tier_label": escalation.get_tier_display(),
        "acknowledge_by": escalation.acknowledge_by,
        "resolve_by": escalation.resolve_by,
        "acknowledged": escalation.acknowledged_at is not None,
        "unread": unread,
    }


def _liaison(actor: Actor, org_id: int, today: dt.date) -> dict[str, Any]:
    user = _user(actor)
    found = list(selectors.escalations_for_office(user, org_id)[:50])
    rows = [_escalation_row(e, unread=selectors.is_unread(e)) for e in found]
    return {
        "escalations": rows,
        "unread_count": sum(1 for r in rows if r["unread"]),
        "manifests": selectors.manifest_days(user, org_id, today),
    }


def _counted(count: int) -> str:
    return "<5" if 0 < count < selectors.SMALL_COUNT else str(count)


def _analyst(actor: Actor, org_id: int, today: dt.date) -> dict[str, Any]:
    if org_id not in organisations_where(_user(actor), Subject.AGGREGATE, Verb.READ):
        return {"allowed": False}
    weeks = selectors.registrations_per_week(org_id, today)
    week_bars = [
        ChartBar(date_format(dt.date.fromisoformat(b.label), "j M"), b.count, _counted(b.count), b.suppressed)
        for b in weeks
    ]
    # Every other week is labelled under its bar (twelve labels do not fit a phone); the list has them all.
    drawn_weeks = [
        ChartBar(b.label if (len(week_bars) - 1 - i) % 2 == 0 else "", b.count, b.shown, b.suppressed)
        for i, b in enumerate(week_bars)
    ]
    tiers = selectors.households_by_tier(org_id)
    tier_bars = [
        ChartBar(
            (_("Tier %(tier)s") % {"tier": b.label}) if b.label else _("Not scored"),
            b.count,
            _counted(b.count),
            b.suppressed,
        )
        for b in tiers
    ]
    times = selectors.escalation_response_times(org_id)
    slug = f"analyst-{org_id}"
    return {
        "weeks": week_bars,
        "weeks_chart": bar_chart(drawn_weeks, _("Households registered per week"), f"{slug}-weeks"),
        "tiers": tier_bars,
        "tiers_chart": bar_chart(tier_bars, _("Households by priority tier"), f"{slug}-tiers"),
        "response_times": [
            {
                "category_label": t.category_label,
                "count": _counted(t.count),
                "hours": t.hours_to_acknowledge,
            }
            for t in times
        ],
        "small_count": selectors.SMALL_COUNT,
    }


def _admin(actor: Actor, org_id: int, today: dt.date) -> dict[str, Any]:
    figures = selectors.admin_figures(org_id)
    may_read_audit = org_id in organisations_where(_user(actor), Subject.AUDIT, Verb.READ)
    return {
        "members": [
            {"username": m.user.get_username(), "role_label": Role(m.role).label, "active": m.user.is_active}
            for m in figures.members
        ],
        "without_second_factor": figures.without_second_factor,
        "grants_given": figures.grants_given,
        "grants_received": figures.grants_received,
        "audit_events_week": figures.audit_events_week if may_read_audit else None,
    }


# The section each role gets, in the order shown. What a section may show is decided by the selectors it
# calls (which ask the rule table, accounts.rules), not by this list: it only says what the role's work is.
SECTIONS: tuple[tuple[str, Callable[[Actor, int, dt.date], dict[str, Any]]], ...] = (
    (Role.ORG_ADMIN, _admin),
    (Role.CASEWORKER, _caseworker),
    (Role.ATTORNEY, _attorney),
    (Role.SHELTER_STAFF, _shelter),
    (Role.AGENCY_LIAISON, _liaison),
    (Role.ANALYST, _analyst),
)
