"""Random malformed bodies and queries against every write and list endpoint: never a 5xx. And the
inputs that used to answer 500: a page number past 64 bits, an end of sharing without a time zone,
lone UTF-16 surrogates in JSON, broken UTF-8 in query strings."""

import json
import random

from django.test import Client

from refugio.accounts.models import Role

from .conftest import World
from .test_escalations import line  # noqa: F401  (the fixture)
from .test_pages import signed_in

HUGE = "99999999999999999999"  # past 2**64: an offset this large overflows the database's integer

VALUES = [
    None,
    "",
    "x",
    "\x00",
    0,
    -1,
    10**12,
    1.5,
    True,
    [],
    [None],
    {},
    {"a": 1},
    "2027-02-30",
    "A" * 10000,
    "<script>",
    10**20,
]
# Only a JSON body can carry these (a query string is bytes, decoded with replacement characters).
BODY_ONLY_VALUES = ["\ud800", "a\udc80b", ["\ud83d"], {"\udfff": 1}]


def test_no_server_error_on_malformed_input(line: World) -> None:  # noqa: F811
    rng = random.Random(1)
    client = line.client(Role.ORG_ADMIN)
    hid, pid = str(line.own.id), str(line.own.members.first().id)
    esc = client.post(
        "/api/v1/escalations",
        data={"household_id": hid, "office_id": line.port.id, "category": "other", "summary": "s"},
        content_type="application/json",
    ).json()["id"]
    targets = {
        ("post", "/api/v1/households"): [
            "current_city",
            "members",
            "contact_phone",
            "organisation_id",
            "preferred_language",
        ],
        ("patch", f"/api/v1/households/{hid}"): ["notes", "status", "version", "in_shelter"],
        ("post", f"/api/v1/households/{hid}/persons"): [
            "given_names",
            "date_of_birth",
            "languages",
            "vulnerabilities",
            "next_hearing_date",
            "arrival_date",
        ],
        ("patch", f"/api/v1/persons/{pid}"): ["a_number", "sex", "version", "languages"],
        ("post", f"/api/v1/households/{hid}/grants"): ["organisation_id", "purpose", "expires_at"],
        ("post", f"/api/v1/households/{hid}/consents"): ["purpose", "method", "person_id", "recipient_id"],
        ("post", "/api/v1/escalations"): [
            "household_id",
            "office_id",
            "category",
            "summary",
            "shared_fields",
            "person_id",
        ],
        ("post", f"/api/v1/escalations/{esc}/messages"): ["body"],
        ("post", f"/api/v1/escalations/{esc}/status"): ["status", "note"],
        ("patch", "/api/v1/escalation-rules/other"): ["acknowledge_within", "acknowledge_unit"],
        ("post", f"/api/v1/households/{hid}/hearings"): [
            "court",
            "date",
            "time",
            "kind",
            "mode",
            "language",
            "interpreter_id",
            "person_id",
        ],
        ("post", f"/api/v1/households/{hid}/offers"): ["representative_id"],
        ("post", "/api/v1/representatives"): ["organisation_id", "name", "capacity", "languages", "kind"],
    }
    bad = []
    for (method, url), fields in targets.items():
        for _ in range(60):
            body = {f: rng.choice(VALUES + BODY_ONLY_VALUES) for f in rng.sample(fields, rng.randint(1, len(fields)))}
            r = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
            if r.status_code >= 500:
                bad.append((url, body, r.status_code))
    for path in ["/api/v1/households", "/api/v1/persons", "/api/v1/escalations", "/api/v1/audit"]:
        for _ in range(30):
            q = {
                k: str(rng.choice([*VALUES, HUGE]))
                for k in rng.sample(
                    ["q", "city", "court", "page", "page_size", "hearing_from", "status", "limit", "object_id"], 3
                )
            }
            r = client.get(path, q)
            if r.status_code >= 500:
                bad.append((path, q, r.status_code))
    assert not bad, bad[:5]


def _api(world: World, role: str = Role.ORG_ADMIN, language: str = "en") -> Client:
    client = world.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    client.raise_request_exception = False  # a 500 is an answer to look at, not an exception in the test
    return client


def test_a_page_number_past_64_bits_is_refused_in_the_api_and_ignored_on_pages(world: World) -> None:
    api = _api(world)
    for path in ["/api/v1/households", "/api/v1/persons", "/api/v1/audit"]:
        answer = api.get(path, {"page": HUGE})
        assert answer.status_code == 422, (path, answer.content)
        assert answer.json()["fields"] == {"page": "This number is too large."}
    web = signed_in(world.users[Role.CASEWORKER])
    web.raise_request_exception = False
    for path in ["/", "/cases/", "/escalations/", "/audit/"]:
        answer = web.get(path, {"page": HUGE}, follow=True)
        assert answer.status_code < 500, path


def test_an_end_of_sharing_without_a_time_zone_is_refused_with_a_clear_message(world: World) -> None:
    """Chosen: refused (422), not read as the server's time zone: when access ends must not be a guess."""
    api = _api(world)
    url = f"/api/v1/households/{world.own.id}/grants"
    body = {"organisation_id": world.stranger.id, "purpose": "Legal representation"}
    naive = api.post(url, {**body, "expires_at": "2027-01-31T18:00:00"}, content_type="application/json")
    assert naive.status_code == 422
    assert naive.json()["fields"]["expires_at"] == "Give the time zone too, for example 2027-01-31T18:00:00Z."
    aware = api.post(url, {**body, "expires_at": "2027-01-31T18:00:00-07:00"}, content_type="application/json")
    assert aware.status_code < 500 and "expires_at" not in aware.json().get("fields", {}), aware.content


def test_lone_surrogates_in_json_are_refused_where_they_are(line: World) -> None:  # noqa: F811
    api = _api(line)
    escalation = api.post(
        "/api/v1/escalations",
        data={"household_id": str(line.own.id), "office_id": line.port.id, "category": "other", "summary": "s"},
        content_type="application/json",
    ).json()["id"]
    message = "This text contains invisible control characters. Remove them."
    for body, where in [
        ('{"body": "\\ud800"}', ["body"]),
        ('{"body": "ok \\udc80 ok"}', ["body"]),
        ('{"body": "ok", "\\ud83d": 1}', ["body"]),  # a broken key: reported at the object holding it
        ('{"body": ["x", {"y": "\\udfff"}], "z": "\\ud800"}', ["body.1.y", "z"]),  # every one, at once
    ]:
        answer = api.post(f"/api/v1/escalations/{escalation}/messages", data=body, content_type="application/json")
        assert answer.status_code == 422, (body, answer.content)
        assert answer.json()["fields"] == dict.fromkeys(where, message), body
    spanish = _api(line, language="es").post(
        f"/api/v1/escalations/{escalation}/messages", data='{"body": "\\ud800"}', content_type="application/json"
    )
    assert spanish.json()["fields"] == {"body": "Este texto contiene caracteres de control invisibles. Quítelos."}
    # A whole emoji written as its surrogate pair is valid JSON and valid Unicode.
    paired = api.post(
        f"/api/v1/escalations/{escalation}/messages",
        data='{"body": "Gracias \\ud83d\\ude4f"}',
        content_type="application/json",
    )
    assert paired.status_code == 201, paired.content


def test_broken_utf8_in_query_strings_is_harmless(world: World) -> None:
    api = _api(world)
    for query in ["q=%ED%A0%80", "q=%FF%FE", "city=a%ED%B2%80b", "q=%00"]:
        assert api.get(f"/api/v1/households?{query}").status_code < 500, query
    web = signed_in(world.users[Role.CASEWORKER])
    web.raise_request_exception = False
    for query in ["q=%ED%A0%80", "q=%FF%FE", "page=%ED%A0%80"]:
        assert web.get(f"/cases/?{query}").status_code < 500, query
