"""/intake/: a caseworker registers a household met in person; the page keeps working offline.

Without JavaScript the form posts here and is stored at once. With JavaScript (static/refugio/intake.js)
each submission is queued in the browser (IndexedDB) with its own idempotency key and sent to
POST /api/v1/intake/households when there is a connection; the service worker (/intake/sw.js) keeps the
page itself available offline.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from refugio.audit.request import actor_from_request
from refugio.core.errors import ValidationFailed
from refugio.core.forms import set_choices
from refugio.people.forms import HouseholdForm, PersonForm, add_service_errors
from refugio.people.services import PermissionDenied
from refugio.registration import services
from refugio.registration.selectors import intake_organisations

MEMBER_ROWS = 6  # the head and up to five others on one page; more are added on the household page


class IntakeMetaForm(forms.Form):
    organisation_id = forms.TypedChoiceField(label=gettext_lazy("Organisation"), coerce=int)
    consent = forms.BooleanField(
        label=gettext_lazy("The person agreed, in their language, that we register and use this information"),
        required=False,
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        set_choices(self, "organisation_id", organisations)


def _person_forms(data: Any = None) -> list[PersonForm]:  # noqa: ANN401
    """The head, then the other rows; a row without a name is an unused row (its selects still post
    their first option, so 'unchanged' cannot tell)."""
    rows = [PersonForm(data, prefix="m0", initial={"relationship_to_head": "head"})]
    for index in range(1, MEMBER_ROWS):
        prefix = f"m{index}"
        used = data is not None and any(
            data.get(f"{prefix}-{n}", "").strip() for n in ("given_names", "first_family_name")
        )
        rows.append(
            PersonForm(
                data if used else None,
                prefix=prefix,
                initial={"relationship_to_head": "child"},
                use_required_attribute=False,
            )
        )
    return rows


def _person(form: PersonForm) -> dict[str, Any]:
    values = {k: v for k, v in form.cleaned_data.items() if v not in ("", None, [], False)}
    for name in ("arrival_date", "next_hearing_date"):
        if name in values:
            values[name] = values[name].isoformat()
    return values


@never_cache
@login_required
def intake_page(request: HttpRequest) -> HttpResponse:
    organisations = intake_organisations(request.user)
    if not organisations:
        raise Http404
    data = request.POST if request.method == "POST" else None
    meta = IntakeMetaForm(
        data,
        organisations=organisations,
        initial={"idempotency_key": uuid.uuid4().hex, "organisation_id": organisations[0][0]},
    )
    household_form = HouseholdForm(data, prefix="h")
    people = _person_forms(data)
    if (
        data is not None
        and meta.is_valid()
        and household_form.is_valid()
        and all(p.is_valid() for p in people if p.is_bound)
    ):
        members = [_person(p) for p in people if p.is_bound]
        household_data = {k: v for k, v in household_form.cleaned_data.items() if v not in ("", None)}
        try:
            _status, answer = services.staff_intake(
                actor_from_request(request, "web"),
                organisation_id=meta.cleaned_data["organisation_id"],
                data=household_data,
                members=members,
                consent=meta.cleaned_data["consent"],
                idempotency_key=meta.cleaned_data["idempotency_key"],
            )
        except ValidationFailed as exc:
            add_service_errors(meta, {k: v for k, v in exc.fields.items() if k == "consent"})
            add_service_errors(
                household_form, {k: v for k, v in exc.fields.items() if not k.startswith("members") and k != "consent"}
            )
            for key, message in exc.fields.items():
                parts = key.split(".")
                if parts[0] == "members" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(people):
                    add_service_errors(people[int(parts[1])], {parts[2]: message})
                elif parts[0] == "members":
                    household_form.add_error(None, message)
        except (PermissionDenied, services.IdempotencyConflict) as exc:
            meta.add_error(None, str(exc))
        else:
            messages.success(request, _("Household registered: %(code)s") % {"code": answer["registration_code"]})
            return redirect("people:household", household_id=answer["household_id"])
    return render(
        request,
        "registration/intake.html",
        {"meta": meta, "household_form": household_form, "head": people[0], "members": people[1:]},
    )


def intake_service_worker(request: HttpRequest) -> HttpResponse:
    """Served under /intake/ so that its scope covers the intake page."""
    response = render(request, "registration/intake_sw.js", content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response
