"""/register/: self-registration in a few short steps, without JavaScript and without an account.

Nothing is stored before the consent step. What was typed so far travels with the form as one signed
field (the person's own data, sent back to them), so no server-side draft of personal data exists and any
number of people can register at once. What is on the page when the person presses Back, Remove or a
language travels in the same field (its "typed" part), so nothing typed is lost. The draft carries an
idempotency key made on the first page, so a double tap or a refreshed page on the last step still makes
exactly one household.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from refugio.audit.request import actor_from_request
from refugio.core.errors import ValidationFailed
from refugio.registration import limits, services
from refugio.registration.forms import (
    BORDER_CITIES,
    ConsentStepForm,
    CourtStepForm,
    MemberStepForm,
    PersonStepForm,
    PlaceStepForm,
    VulnerabilityStepForm,
)
from refugio.registration.selectors import intake_organisation_name

STEPS = ["head", "members", "place", "court", "vulnerabilities", "consent"]
STEP_FORMS: dict[str, type[forms.Form]] = {
    "head": PersonStepForm,
    "members": MemberStepForm,
    "place": PlaceStepForm,
    "court": CourtStepForm,
    "consent": ConsentStepForm,
}
DRAFT_SALT = "refugio.register.draft"
DONE_SALT = "refugio.register.done"
DRAFT_MAX_AGE = 6 * 3600
Raw = dict[str, list[str]]


def _max_members() -> int:
    """People besides the head (the head is the first person, by construction)."""
    return settings.REFUGIO_MAX_HOUSEHOLD_MEMBERS - 1


def _too_many_people() -> str:
    return _("A household can have at most %(n)d people.") % {"n": settings.REFUGIO_MAX_HOUSEHOLD_MEMBERS}


def _language(request: HttpRequest) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    for chosen in (request.POST.get("lang", ""), request.GET.get("lang", "")):
        if chosen in codes:
            return chosen
    return translation.get_language() or "es"


def _raw(request: HttpRequest, form: forms.Form) -> Raw:
    return {name: request.POST.getlist(name) for name in form.fields if request.POST.getlist(name)}


def _blank_member(raw: Raw) -> bool:
    """A member form with nothing typed is nobody. Browsers send every field, blank ones as `name=`, and the
    relationship select always has a value, so it alone does not make a person."""
    return not any(value.strip() for name, values in raw.items() if name != "relationship_to_head" for value in values)


def _person_index(value: str) -> int | None:
    """A vulnerability answer as a person's place in the registration (a single person's box sends "on")."""
    if value == "on":
        return 0
    return int(value) if value.isdigit() else None


def _vulnerability_answers(raw: Raw, count: int) -> Raw:
    """The answers about who needs help first, in the shape the page takes for `count` people: a yes box
    for one person, a "who?" box per person for several. Answers survive adding people, or removing them."""
    answers: Raw = {}
    for code, values in raw.items():
        indices = sorted({i for i in map(_person_index, values) if i is not None and i < count})
        if indices:
            answers[code] = ["on"] if count == 1 else [str(i) for i in indices]
    return answers


def _without_person(raw: Raw, removed: int) -> Raw:
    """The vulnerability answers once the person at place `removed` is gone: the others keep theirs."""
    answers: Raw = {}
    for code, values in raw.items():
        kept = [i - (i > removed) for i in map(_person_index, values) if i is not None and i != removed]
        if kept:
            answers[code] = [str(i) for i in kept]
    return answers


def _people(draft: dict[str, Any]) -> list[str]:
    """Display names of everyone registered so far, head first."""
    rows = [draft.get("head", {}), *draft.get("members", [])]
    return [" ".join((r.get("given_names", [""])[-1], r.get("first_family_name", [""])[-1])).strip() for r in rows]


def _form(step: str, draft: dict[str, Any], data: Raw | None = None, initial: Raw | None = None) -> forms.Form:
    bound = MultiValueDict(data) if data is not None else None
    initial_values = {k: (v if len(v) != 1 else v[0]) for k, v in (initial or {}).items()}
    if step == "vulnerabilities":
        return VulnerabilityStepForm(bound, initial=initial_values, people=_people(draft))
    return STEP_FORMS[step](bound, initial=initial_values)


@never_cache
def register(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    translation.activate(language)
    organisation = intake_organisation_name()
    if organisation is None:
        return _page(request, language, {"closed": True}, status=503)
    draft: dict[str, Any] = {"key": uuid.uuid4().hex, "members": []}
    if request.method != "POST":
        return _show(request, language, draft, "head", _form("head", draft))
    if limits.body_too_large(request, read=False):
        return _show(request, language, draft, "head", _form("head", draft), limits.too_large_message(), status=413)
    try:
        draft = signing.loads(request.POST.get("draft", ""), salt=DRAFT_SALT, max_age=DRAFT_MAX_AGE)
    except signing.BadSignature:
        expired = _("This form was open too long and had to be reset. Please start again.")
        return _show(request, language, draft, "head", _form("head", draft), notice=expired)
    step = request.POST.get("step", "head")
    step = step if step in STEPS else "head"
    action = request.POST.get("action", "next")
    posted = _form(step, draft, data=None)
    raw = _raw(request, posted)

    if "lang" in request.POST or action == "back" or action.startswith("remove-"):
        # Changing language, going back or removing someone keeps what was typed, without judging it yet.
        _keep_typed(draft, step, raw)
        if action == "back":
            step = STEPS[max(STEPS.index(step) - 1, 0)]
        elif step == "members" and action.startswith("remove-"):
            _remove_member(draft, action.removeprefix("remove-"))
        return _show(request, language, draft, step, _form(step, draft, initial=_typed(draft, step)))

    form = _form(step, draft, data=raw)
    if step == "members":
        if action == "next" and _blank_member(raw):
            draft.get("typed", {}).pop("members", None)
            return _show(request, language, draft, "place", _form("place", draft, initial=_typed(draft, "place")))
        if not form.is_valid():
            return _show(request, language, draft, step, form)
        if len(draft["members"]) >= _max_members():
            return _show(request, language, draft, step, _form(step, draft), notice=_too_many_people())
        draft["members"].append(raw)
        draft.get("typed", {}).pop("members", None)
        if action == "add":
            return _show(request, language, draft, step, _form(step, draft))
        return _show(request, language, draft, "place", _form("place", draft, initial=_typed(draft, "place")))

    if not form.is_valid():
        return _show(request, language, draft, step, form)
    draft[step] = raw
    draft.get("typed", {}).pop(step, None)
    if step != "consent":
        following = STEPS[STEPS.index(step) + 1]
        return _show(request, language, draft, following, _form(following, draft, initial=_typed(draft, following)))
    return _submit(request, language, draft)


def _keep_typed(draft: dict[str, Any], step: str, raw: Raw) -> None:
    """Remember what is on the page, to show it again when the person comes back to this step."""
    typed = draft.setdefault("typed", {})
    if step == "members" and _blank_member(raw):
        typed.pop("members", None)
    else:
        typed[step] = raw


def _remove_member(draft: dict[str, Any], position: str) -> None:
    index = int(position) if position.isdigit() else -1
    if not 0 <= index < len(draft["members"]):
        return
    draft["members"].pop(index)
    # The head is person 0, so member `index` is person index + 1 in the answers about vulnerabilities.
    for answers in (draft, draft.get("typed", {})):
        if "vulnerabilities" in answers:
            answers["vulnerabilities"] = _without_person(answers["vulnerabilities"], index + 1)


def _typed(draft: dict[str, Any], step: str) -> Raw:
    """What to show on `step`: what was last typed there, else what was accepted there."""
    if step == "members":
        # draft["members"] is the list of people already added; the form is for the next one.
        return draft.get("typed", {}).get("members") or {}
    typed = draft.get("typed", {})
    # An emptied step (every box unticked) is shown empty, not as it was before.
    shown = typed[step] if step in typed else draft.get(step) or {}
    if step == "vulnerabilities":
        return _vulnerability_answers(shown, len(_people(draft)))
    return shown


def _submit(request: HttpRequest, language: str, draft: dict[str, Any]) -> HttpResponse:
    # The step forms by their own classes (what _form builds for these steps), so their methods are typed.
    head_form = PersonStepForm(MultiValueDict(draft.get("head", {})))
    place_form = PlaceStepForm(MultiValueDict(draft.get("place", {})))
    court_form = CourtStepForm(MultiValueDict(draft.get("court", {})))
    answers = _vulnerability_answers(draft.get("vulnerabilities", {}), len(_people(draft)))
    vulnerability_form = VulnerabilityStepForm(MultiValueDict(answers), people=_people(draft))
    step_forms: tuple[tuple[str, forms.Form], ...] = (("head", head_form), ("place", place_form), ("court", court_form))
    for step, form in step_forms:
        if not form.is_valid():
            return _show(request, language, draft, step, form)
    member_forms = [MemberStepForm(MultiValueDict(m)) for m in draft["members"]]
    if not vulnerability_form.is_valid() or not all(f.is_valid() for f in member_forms):
        return _show(request, language, draft, "members", _form("members", draft))
    people = [
        {**head_form.person(), "relationship_to_head": "head", **court_form.court_fields()},
        *[f.person() for f in member_forms],
    ]
    for person, found in zip(people, vulnerability_form.per_person(len(people)), strict=True):
        if found:
            person["vulnerabilities"] = found
    key = "web:" + draft["key"]
    limited = limits.registration_limited(request)
    if limited is not None:
        # What was typed stays in the page: sending again later needs no retyping.
        consent = _form("consent", draft, initial=draft.get("consent"))
        response = _show(request, language, draft, "consent", consent, notice=limited.message, status=429)
        response["Retry-After"] = str(limited.wait_seconds)
        return response
    try:
        _status, answer = services.register(
            actor_from_request(request, "public"),
            data=place_form.household(),
            members=people,
            consent=True,
            language=language,
            idempotency_key=key,
            channel_choice=place_form.message_choice(),  # recorded with the household
        )
    except services.IdempotencyConflict:
        # Sent before, then changed with the browser's back button: the first registration stands.
        answer = services.earlier_answer(key) or {}
    except services.RegistrationClosed:
        return _page(request, language, {"closed": True}, status=503)
    except ValidationFailed as exc:
        return _show_service_errors(request, language, draft, exc)
    token = signing.dumps(answer["registration_code"], salt=DONE_SALT)
    return redirect(reverse("register_done") + "?" + urlencode({"lang": language, "r": token}))


def _show_service_errors(
    request: HttpRequest, language: str, draft: dict[str, Any], exc: ValidationFailed
) -> HttpResponse:
    """Rules only the service knows (rare): show each on the step where it can be fixed."""
    step = "place"
    messages: list[str] = []
    for name, message in exc.fields.items():
        parts = name.split(".")
        if parts[0] == "members" and len(parts) == 3:
            index = int(parts[1]) if parts[1].isdigit() else 0
            step = "head" if index == 0 else "members"
            who = _people(draft)[index] if index < len(_people(draft)) else ""
            messages.append(f"{who}: {message}" if who else message)
        else:
            messages.append(message)
    form = _form(step, draft, initial=_typed(draft, step) if step != "members" else None)
    return _show(request, language, draft, step, form, notice=" ".join(messages))


def _show(
    request: HttpRequest,
    language: str,
    draft: dict[str, Any],
    step: str,
    form: forms.Form,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "step": step,
        "step_number": STEPS.index(step) + 1,
        "step_count": len(STEPS),
        "form": form,
        "draft": signing.dumps(draft, salt=DRAFT_SALT, compress=True),
        "people": _people(draft),
        "members": _people(draft)[1:],
        "organisation": intake_organisation_name(),
        "cities": BORDER_CITIES,
        "notice": notice,
        "can_add": len(draft["members"]) < _max_members(),
    }
    return _page(request, language, context, status=status)


def _page(request: HttpRequest, language: str, context: dict[str, Any], status: int) -> HttpResponse:
    context = {**context, "language": language, "languages": settings.LANGUAGES}
    return render(request, "registration/register.html", context, status=status)


@never_cache
def register_done(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    translation.activate(language)
    try:
        code = signing.loads(request.GET.get("r", ""), salt=DONE_SALT, max_age=7 * 24 * 3600)
    except signing.BadSignature:
        return redirect(reverse("register") + "?" + urlencode({"lang": language}))
    context = {"code": code, "language": language, "languages": settings.LANGUAGES, "token": request.GET["r"]}
    return render(request, "registration/register_done.html", context)
