"""Messaging pages: the organisation's delivery dashboard, the caseworkers' inbox, a household's messages and
channels, and the catalogue of texts for reviewers. Thin: selectors read, services write, names and numbers
come through refugio.disclosure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.accounts.rules import Verb
from refugio.audit.request import actor_from_request
from refugio.core.errors import NotFound, ValidationFailed
from refugio.disclosure import disclose_many, disclose_one
from refugio.messaging import catalogue, page_selectors, segments, services
from refugio.messaging.choices import choose_channels
from refugio.messaging.forms import AssignForm, ChannelsForm, ReplyForm
from refugio.messaging.page_selectors import status_label
from refugio.messaging.page_surfaces import (
    FAILURE_HOUSEHOLD,
    HOUSEHOLD_MESSAGES,
    INBOUND_PREVIEW,
    THREAD_HOUSEHOLD,
    UNKNOWN_INBOUND,
)
from refugio.messaging.selectors import get_message_household
from refugio.messaging.surfaces import FAILURES_PAGE, HOUSEHOLD_MESSAGES_PAGE
from refugio.messaging.words import NOTICE_LABELS, error_words, template_label
from refugio.people.forms import add_service_errors
from refugio.people.vocabulary import language_name


def _message_row(shown: dict[str, Any]) -> dict[str, Any]:
    """A disclosed message in words: what it was, where it went, what became of it."""
    return {
        **shown,
        "template_label": template_label(shown.get("template", "")),
        "problem": error_words(shown.get("last_error_code", "")),
        "events": [
            {**e, "status_label": status_label(e["status"]), "problem": error_words(e["provider_code"])}
            for e in shown.get("events", [])
        ],
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Delivery rates of the user's own organisations, and the failures someone should follow up."""
    actor = actor_from_request(request, "web")
    sections = []
    readers = page_selectors.message_organisations(request.user)
    for organisation in page_selectors.dashboard_organisations(request.user):
        # Analysts read the figures only; the failures name households, for those who work with them.
        found = page_selectors.failures_to_act_on(organisation) if organisation.id in readers else []
        failures = [_message_row(m) for m in disclose_many(actor, FAILURES_PAGE, found)]
        shown = disclose_many(actor, FAILURE_HOUSEHOLD, page_selectors.households_of(m.household_id for m in found))
        households = {h["id"]: h for h in shown}
        sections.append(
            {
                "rates": page_selectors.delivery_rates(organisation),
                "failures": [(f, households[f["household_id"]]) for f in failures if f["household_id"] in households],
                "may_see_failures": organisation.id in readers,
            }
        )
    return render(request, "messaging/dashboard.html", {"sections": sections})


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    """Replies threaded by household (call-back requests and unread first) and texts from unknown numbers."""
    actor = actor_from_request(request, "web")
    threads = page_selectors.inbox_threads(request.user)
    found = page_selectors.households_of(t.household_id for t in threads)
    households = {h["id"]: h for h in disclose_many(actor, THREAD_HOUSEHOLD, found)}
    previews = page_selectors.latest_inbound(request.user, (t.last_inbound_id for t in threads))
    latest = {m["id"]: m for m in disclose_many(actor, INBOUND_PREVIEW, previews)}
    rows = [
        (t, households[t.household_id], latest.get(t.last_inbound_id)) for t in threads if t.household_id in households
    ]
    unknown = disclose_many(actor, UNKNOWN_INBOUND, page_selectors.unknown_numbers(request.user))
    writers = page_selectors.message_organisations(request.user, Verb.WRITE)
    return render(
        request,
        "messaging/inbox.html",
        {"threads": rows, "unknown": unknown, "assign_form": AssignForm(), "may_review": bool(writers)},
    )


def _household_context(request: HttpRequest, household_id: str, **forms: Any) -> dict[str, Any]:  # noqa: ANN401
    get_message_household(request.user, household_id)  # 404 unless the user may see its messages
    actor = actor_from_request(request, "web")
    shown = disclose_one(actor, HOUSEHOLD_MESSAGES, household_id)
    may_write = _may(request, shown["id"], Verb.WRITE)
    may_send = _may(request, shown["id"], Verb.CREATE)
    consents = {c["channel"]: c for c in shown["consents"]}
    whatsapp = consents.get("whatsapp")
    channels_form = forms.get("channels_form") or ChannelsForm(
        initial={
            "channels": list(consents),
            "email": consents.get("email", {}).get("address", ""),
            "fallback_to_sms": bool(whatsapp and whatsapp["fallback_to_sms"]),
        }
    )
    return {
        "household": shown,
        "sent": [
            _message_row(m)
            for m in disclose_many(actor, HOUSEHOLD_MESSAGES_PAGE, page_selectors.sent_messages(shown["id"]))
        ],
        "opt_out": page_selectors.live_opt_out(shown["id"]),
        "consents": shown["consents"],
        "choice_recorded": page_selectors.channel_choice_recorded(shown["id"]),
        "unread": sum(1 for m in shown["inbound"] if m["unread"]),
        "channels_form": channels_form if may_write else None,
        "reply_form": (forms.get("reply_form") or ReplyForm()) if may_send else None,
        "language": language_name(shown.get("preferred_language") or ""),
    }


def _may(request: HttpRequest, household_id: Any, verb: Verb) -> bool:  # noqa: ANN401
    try:
        get_message_household(request.user, household_id, verb)
    except NotFound:
        return False
    return True


@login_required
def household_messages(request: HttpRequest, household_id: str) -> HttpResponse:
    return render(request, "messaging/household.html", _household_context(request, household_id))


@login_required
@require_POST
def mark_read(request: HttpRequest, household_id: str) -> HttpResponse:
    """Marking read is a write: a POST, never a side effect of looking at a page."""
    household = get_message_household(request.user, household_id)
    actor = actor_from_request(request, "web")
    for inbound_id in page_selectors.unread_inbound_ids(request.user, household.id):
        services.mark_read(actor, inbound_id=inbound_id)
    messages.success(request, _("Marked as read."))
    if request.POST.get("next") == "inbox":
        return redirect("messaging:inbox")
    return redirect("messaging:household", household_id=household.id)


@login_required
@require_POST
def set_channels(request: HttpRequest, household_id: str) -> HttpResponse:
    household = get_message_household(request.user, household_id, Verb.WRITE)
    form = ChannelsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            choose_channels(
                actor_from_request(request, "web"),
                household=household,
                channels={channel: True for channel in data["channels"]},
                email=data.get("email") or "",
                fallback_to_sms=bool(data.get("fallback_to_sms")),
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("Channels saved."))
            return redirect("messaging:household", household_id=household.id)
    context = _household_context(request, household_id, channels_form=form)
    return render(request, "messaging/household.html", context, status=400)


@login_required
@require_POST
def reply(request: HttpRequest, household_id: str) -> HttpResponse:
    """Queue a catalogue message to the household (the outbox sends it, exactly once)."""
    household = get_message_household(request.user, household_id, Verb.CREATE)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            message = services.queue_notice(
                actor_from_request(request, "web"),
                household=household,
                template=form.cleaned_data["template"],
                channel=form.cleaned_data["channel"] or None,
                params=form.params(),
                source="reply",
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            if message.status == "opted_out":
                messages.error(request, _("Not sent: the household asked for no more messages (STOP)."))
            elif message.status == "failed":
                messages.error(request, _("Not sent: the household has no channel to write to."))
            else:
                messages.success(request, _("Message queued."))
            return redirect("messaging:household", household_id=household.id)
    context = _household_context(request, household_id, reply_form=form)
    return render(request, "messaging/household.html", context, status=400)


@login_required
@require_POST
def assign_unknown(request: HttpRequest, inbound_id: str) -> HttpResponse:
    """Link a text from an unknown number to the household a caseworker names by its code: never guessed."""
    inbound_message = page_selectors.get_unknown_inbound(request.user, inbound_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the household's registration code."))
        return redirect("messaging:inbox")
    try:
        household = page_selectors.household_by_code(
            request.user, inbound_message.owner_id, form.cleaned_data["registration_code"]
        )
    except NotFound:
        messages.error(request, _("No household of your organisation has this registration code."))
        return redirect("messaging:inbox")
    services.mark_reviewed(actor_from_request(request, "web"), inbound_id=inbound_message.id, household_id=household.id)
    messages.success(request, _("Linked to the household."))
    return redirect("messaging:household", household_id=household.id)


@login_required
@require_POST
def dismiss_unknown(request: HttpRequest, inbound_id: str) -> HttpResponse:
    """Reviewed, and not recognised: it leaves the list, linked to no one."""
    inbound_message = page_selectors.get_unknown_inbound(request.user, inbound_id)
    services.mark_reviewed(actor_from_request(request, "web"), inbound_id=inbound_message.id)
    messages.success(request, _("Marked as reviewed."))
    return redirect("messaging:inbox")


# What the catalogue page fills templates with: a long but real place and code, so counts are honest.
EXAMPLE = {"date": "2026-12-15", "place": "Puerto de San Ysidro", "code": "K7M2-QX9P-4", "notice": ""}


def _cell(text: str) -> dict[str, Any]:
    counted = segments.count(text)
    return {"text": text, "segments": counted}


@login_required
def catalogue_page(request: HttpRequest) -> HttpResponse:
    """Every text in es, en, ht, fr and pt side by side, with what an SMS of it costs in segments."""
    languages = [(code, language_name(code)) for code in catalogue.LANGUAGES]
    rows = []
    for key, texts in catalogue.TEMPLATES.items():
        needed = catalogue.placeholders(texts["en"])
        notice_keys = list(catalogue.NOTICES) if "notice" in needed else [""]
        for notice in notice_keys:
            params = {k: v for k, v in {**EXAMPLE, "notice": notice}.items() if k in needed}
            cells = []
            for code, _name in languages:
                cell = _cell(catalogue.render(key, code, params))
                cell["lang"] = code
                cells.append(cell)
            label = template_label(key)
            if notice:
                label = f"{label}: {NOTICE_LABELS[notice]}"
            rows.append({"key": key, "label": label, "cells": cells})
    checked = request.GET.get("text", "")[:1000]
    return render(
        request,
        "messaging/catalogue.html",
        {
            "languages": languages,
            "rows": rows,
            "example": {**EXAMPLE, "date": dt.date.fromisoformat(EXAMPLE["date"])},
            "checked": _cell(checked) if checked else None,
            "checked_text": checked,
            "problems": catalogue.problems(),
        },
    )
