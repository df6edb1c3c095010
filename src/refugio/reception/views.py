"""Reception pages: shelters with free beds, a shelter (capacity, grants), placing a household, and the
arrivals board a shelter worker runs a day from (plain forms: works with JavaScript off, on a phone)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.accounts.rules import Subject, Verb
from refugio.audit.request import actor_from_request
from refugio.core.errors import Conflict, PermissionDenied, ValidationFailed
from refugio.core.forms import set_choices
from refugio.disclosure import disclose_many, disclose_one
from refugio.people.forms import add_service_errors
from refugio.people.surfaces import HOUSEHOLD_HEADING
from refugio.reception import selectors, services
from refugio.reception.forms import GrantForm, PlaceHereForm, PlacementForm, ShelterForm
from refugio.reception.models import BedType, Shelter
from refugio.reception.surfaces import BOARD_STAYS, BOARD_UNPLACED, SHELTER_HEADING, SHELTER_PAGE


def _day(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default


def _may(user: Any, shelter_id: int, verb: Verb) -> bool:  # noqa: ANN401
    return selectors.visible_shelters(user, verb).filter(id=shelter_id).exists()


@login_required
def shelter_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    found = list(selectors.visible_shelters(request.user).order_by("city", "name"))
    shown = disclose_many(actor_from_request(request, "web"), SHELTER_HEADING, found)
    by_id = {s.id: s for s in found}
    rows = [{"shelter": s, "beds": selectors.capacity(by_id[s["id"]], today)} for s in shown]
    may_add = bool(selectors.reception_orgs(request.user, Subject.SHELTER, Verb.WRITE))
    return render(request, "reception/shelters.html", {"rows": rows, "today": today, "may_add": may_add})


@login_required
def shelter_new(request: HttpRequest) -> HttpResponse:
    if not selectors.reception_orgs(request.user, Subject.SHELTER, Verb.WRITE):
        raise PermissionDenied(_("You cannot add shelters."))
    form = ShelterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.create_shelter(
                actor_from_request(request, "web"), organisation_id=None, data=form.details(), beds=form.beds()
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("Shelter added."))
            return redirect("reception:shelter", made.id)
    return render(request, "reception/shelter_form.html", {"form": form})


def _shelter_page(
    request: HttpRequest, shelter_id: int, form: ShelterForm | None = None, status: int = 200
) -> HttpResponse:
    actor = actor_from_request(request, "web")
    shelter = disclose_one(actor, SHELTER_PAGE, shelter_id)
    model = Shelter.objects.get(pk=shelter["id"])
    first = _day(request.GET.get("from"), timezone.localdate())
    end = _day(request.GET.get("to"), first)
    may_write = _may(request.user, model.id, Verb.WRITE)
    may_share = _may(request.user, model.id, Verb.SHARE)
    if form is None and may_write:
        counts = selectors.bed_counts(model)
        form = ShelterForm(
            initial={
                "name": model.name,
                "city": model.city,
                "address": shelter["address"],
                "phone": shelter["phone"],
                "licensed_for_minors": model.licensed_for_minors,
                **{f"beds_{code}": n for code, n in counts.items()},
            }
        )
    grant_form = None
    if may_share:
        grant_form = GrantForm()
        set_choices(grant_form, "organisation_id", [(o.id, o.name) for o in selectors.grantable_organisations(model)])
    context = {
        "shelter": shelter,
        "beds": selectors.capacity(model, first, end + dt.timedelta(days=1) if end >= first else None),
        "first": first,
        "last": max(end, first),
        "form": form if may_write else None,
        "grants": [{"id": g.id, "organisation": g.organisation.name} for g in selectors.live_grants(model)],
        "grant_form": grant_form,
        "today": timezone.localdate(),
    }
    return render(request, "reception/shelter.html", context, status=status)


@login_required
def shelter_page(request: HttpRequest, shelter_id: int) -> HttpResponse:
    if request.method != "POST":
        return _shelter_page(request, shelter_id)
    shelter = selectors.get_shelter(request.user, shelter_id, Verb.WRITE)
    form = ShelterForm(request.POST)
    if form.is_valid():
        try:
            services.update_shelter(
                actor_from_request(request, "web"), shelter=shelter, data=form.details(), beds=form.beds()
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("Saved."))
            return redirect("reception:shelter", shelter.id)
    return _shelter_page(request, shelter_id, form, status=422)


@login_required
@require_POST
def grant_add(request: HttpRequest, shelter_id: int) -> HttpResponse:
    shelter = selectors.get_shelter(request.user, shelter_id, Verb.SHARE)
    try:
        services.grant_shelter(
            actor_from_request(request, "web"),
            shelter=shelter,
            organisation_id=int(request.POST.get("organisation_id") or 0),
        )
    except (ValidationFailed, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "fields", {}).values()) or _("Choose another organisation."))
    else:
        messages.success(request, _("Granted."))
    return redirect("reception:shelter", shelter.id)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, shelter_id: int, grant_id: int) -> HttpResponse:
    shelter = selectors.get_shelter(request.user, shelter_id, Verb.SHARE)
    services.revoke_grant(actor_from_request(request, "web"), shelter=shelter, grant_id=grant_id)
    messages.success(request, _("The grant was revoked."))
    return redirect("reception:shelter", shelter.id)


# ---------------------------------------------------------------- the arrivals board


def _board(
    request: HttpRequest,
    shelter_id: int,
    day: dt.date,
    *,
    failed: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_from_request(request, "web")
    shelter = disclose_one(actor, SHELTER_HEADING, shelter_id)
    model = Shelter.objects.get(pk=shelter["id"])
    stays = selectors.board_stays(request.user, model, day)
    arriving = disclose_many(actor, BOARD_STAYS, stays["arriving"])
    in_house = disclose_many(actor, BOARD_STAYS, stays["in_house"])
    unplaced = disclose_many(actor, BOARD_UNPLACED, selectors.unplaced_arrivals(request.user, model, day))
    may_place = selectors.placeable_shelters(request.user).filter(id=model.id).exists()
    offered = {code for code, _label in BedType.choices if code != BedType.MINOR_SAFE or model.licensed_for_minors}
    for row in unplaced:
        if failed and failed["household_id"] == str(row["household_id"]):
            row["form"], row["error"] = failed["form"], failed["error"]
        else:
            needed = row["bed_type_needed"] if row["bed_type_needed"] in offered else BedType.GENERAL
            row["form"] = PlaceHereForm(
                initial={
                    "household_id": row["household_id"],
                    "bed_type": needed,
                    "starts_on": day,
                    "ends_on": day + dt.timedelta(days=7),
                },
                auto_id=f"id_{row['id']}_%s",
            )
    context = {
        "shelter": shelter,
        "day": day,
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
        "arriving": arriving,
        "in_house": in_house,
        "unplaced": unplaced,
        "beds": selectors.capacity(model, day),
        "may_place": may_place,
        "here": f"{reverse('reception:arrivals', args=[model.id])}?date={day.isoformat()}",
    }
    return render(request, "reception/arrivals.html", context, status=status)


@login_required
def arrivals(request: HttpRequest, shelter_id: int) -> HttpResponse:
    return _board(request, shelter_id, _day(request.GET.get("date"), timezone.localdate()))


@login_required
@require_POST
def place_here(request: HttpRequest, shelter_id: int) -> HttpResponse:
    shelter = selectors.get_placeable_shelter(request.user, shelter_id)
    day = _day(request.POST.get("date"), timezone.localdate())
    form = PlaceHereForm(request.POST, auto_id="id_failed_%s")
    if not form.is_valid():
        messages.error(request, _("Give the bed type and both dates."))
        return redirect(f"{reverse('reception:arrivals', args=[shelter.id])}?date={day.isoformat()}")
    household = selectors.get_household_to_place(request.user, form.cleaned_data["household_id"])
    try:
        services.place(
            actor_from_request(request, "web"),
            household=household,
            shelter_id=shelter.id,
            bed_type=form.cleaned_data["bed_type"],
            starts_on=form.cleaned_data["starts_on"],
            ends_on=form.cleaned_data["ends_on"],
        )
    except (Conflict, ValidationFailed) as exc:
        message = exc.message if isinstance(exc, Conflict) else " ".join(exc.fields.values())
        status = 409 if isinstance(exc, Conflict) else 422
        failed = {"household_id": str(household.id), "form": form, "error": message}
        return _board(request, shelter.id, day, failed=failed, status=status)
    messages.success(request, _("Placed here."))
    return redirect(f"{reverse('reception:arrivals', args=[shelter.id])}?date={day.isoformat()}")


@login_required
@require_POST
def placement_action(request: HttpRequest, placement_id: int, action: str) -> HttpResponse:
    placement = selectors.get_placement(request.user, placement_id, Verb.WRITE)
    try:
        services.advance(actor_from_request(request, "web"), placement=placement, action=action)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    day = _day(request.POST.get("date"), placement.starts_on)
    board = f"{reverse('reception:arrivals', args=[placement.shelter_id])}?date={day.isoformat()}"
    if selectors.visible_shelters(request.user).filter(id=placement.shelter_id).exists():
        return redirect(board)
    return redirect("people:household", placement.household_id)


# ---------------------------------------------------------------- placing one household


@login_required
def household_place(request: HttpRequest, household_id: str) -> HttpResponse:
    actor = actor_from_request(request, "web")
    household = selectors.get_household_to_place(request.user, household_id)
    shelters = list(selectors.placeable_shelters(request.user).order_by("city", "name"))
    initial: dict[str, Any] = {
        "starts_on": timezone.localdate(),
        "ends_on": timezone.localdate() + dt.timedelta(days=7),
    }
    if request.GET.get("shelter_id"):
        initial["shelter_id"] = request.GET["shelter_id"]
    form = PlacementForm(request.POST or None, initial=initial)
    set_choices(form, "shelter_id", [(s.id, f"{s.name} ({s.city})") for s in shelters])
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.place(
                actor,
                household=household,
                shelter_id=data["shelter_id"],
                bed_type=data["bed_type"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                beds=data["beds"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
            status = 422
        except Conflict as exc:
            form.add_error("bed_type", exc.message)
            status = 409
        else:
            messages.success(request, _("Placed."))
            return redirect("people:household", household.id)
    elif request.method == "POST":
        status = 422
    heading = disclose_one(actor, HOUSEHOLD_HEADING, household.id)
    today = timezone.localdate()
    free = [{"shelter": s, "beds": selectors.capacity(s, today)} for s in shelters]
    return render(
        request,
        "reception/place.html",
        {"form": form, "household": heading, "free": free, "today": today},
        status=status,
    )
