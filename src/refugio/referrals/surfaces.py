"""What of a referral each side is shown. The vocabulary of its personal fields is here, once; pages and
endpoints name a surface and call refugio.disclosure.

Two kinds, one per side, so that a page of one side can never show the other side's fields:
- `referral` (the sending side, referrals.selectors.sent_referrals): the household's code, the people
  referred, the sender's note, the decline reason;
- `referral_received` (the receiving side, selectors.received_referrals): only what is needed to serve
  the people: their names and languages, the household's language, its phone only if it consented to be
  contacted, and the sender's note. Never the household's id or code: the case is not shared.

The service directory is not personal data: it is not a kind here and its reads are not audited."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from refugio.accounts.rules import Verb
from refugio.disclosure import Kind, Nested, Surface, register_kind
from refugio.people.registration_code import display
from refugio.people.surfaces import CONSENT, HOUSEHOLD
from refugio.people.vocabulary import language_name
from refugio.referrals import selectors
from refugio.referrals.models import Referral


def _persons(referral: Referral) -> list[dict[str, Any]]:
    return [
        {
            "id": str(p.id),
            "name": p.full_name,
            "languages": list(p.languages),
            "languages_label": ", ".join(language_name(code) for code in p.languages),
        }
        for p in referral.persons.all()
    ]


def _envelope() -> dict[str, Any]:
    """What either side may always see: the referral itself, never a person."""
    return {
        "id": lambda r: r.id,
        "status": lambda r: r.status,
        "status_label": lambda r: r.get_status_display(),
        "category": lambda r: r.category,
        "category_label": lambda r: r.get_category_display(),
        "service": lambda r: {"id": str(r.service_id), "name": r.service.name},
        "from_organisation": lambda r: {"id": r.from_organisation_id, "name": r.from_organisation.name},
        "to_organisation": lambda r: {"id": r.to_organisation_id, "name": r.to_organisation.name},
        "sent_at": lambda r: r.sent_at,
        "responded_at": lambda r: r.responded_at,
        "closed_at": lambda r: r.closed_at,
    }


def _sent(user: Any, verb: Verb) -> QuerySet[Referral]:  # noqa: ANN401
    return selectors.sent_referrals(user, verb)


def _received(user: Any, verb: Verb) -> QuerySet[Referral]:  # noqa: ANN401
    return selectors.received_referrals(user, verb)


REFERRAL = register_kind(
    Kind(
        name="referral",
        fields={
            "registration_code": lambda r: display(r.household.registration_code),
            "person_names": _persons,
            "note": lambda r: r.note,
            "decline_reason": lambda r: r.decline_reason,
        },
        envelope={**_envelope(), "household_id": lambda r: r.household_id},
        visible=_sent,
        organisation_of=lambda r: r.household.owner_id,
    )
)


def _no_contact(referral: Referral) -> frozenset[str]:
    """The phone is kept back unless the household consented to be contacted."""
    if selectors.may_be_contacted(referral.household_id):
        return frozenset()
    return frozenset({"contact_phone", "contact_whatsapp"})


RECEIVED = register_kind(
    Kind(
        name="referral_received",
        fields={
            "person_names": _persons,
            "language": lambda r: r.household.preferred_language,
            "contact_phone": lambda r: r.household.contact_phone,
            "contact_whatsapp": lambda r: r.household.contact_whatsapp,
            "note": lambda r: r.note,
            "decline_reason": lambda r: r.decline_reason,
        },
        labels={"language": lambda r: language_name(r.household.preferred_language)},
        envelope=_envelope(),
        withheld=_no_contact,
        visible=_received,
        organisation_of=lambda r: r.household.owner_id,
    )
)

SENT_FIELDS = ("registration_code", "person_names", "note", "decline_reason")
RECEIVED_FIELDS = ("person_names", "language", "contact_phone", "contact_whatsapp", "note", "decline_reason")

# The inbox, a referral's page and the API, from each side.
SENT_LIST = Surface("referrals.sent_list", REFERRAL, ("registration_code", "person_names"))
SENT_DETAIL = Surface("referrals.sent", REFERRAL, SENT_FIELDS)
RECEIVED_LIST = Surface("referrals.received_list", RECEIVED, ("person_names", "language"))
RECEIVED_DETAIL = Surface("referrals.received", RECEIVED, RECEIVED_FIELDS)
# The household page's panel: services and states only, no personal field (nothing to audit).
HOUSEHOLD_PANEL = Surface("referrals.household_panel", REFERRAL, ())
# The Refer form: which purposes the household consented to (and whether still live), nothing more.
REFER_CONSENTS = Surface(
    "referrals.refer_consents",
    HOUSEHOLD,
    (),
    nested={
        "consents": Nested(
            lambda h: h.consents.order_by("given_at", "id"),
            Surface("referrals.consent_purposes", CONSENT, ("purpose", "withdrawn_at")),
        )
    },
)
