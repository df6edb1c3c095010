"""Random malformed bodies and queries against every write and list endpoint: never a 5xx."""

import json
import random

from refugio.accounts.models import Role

from .conftest import World
from .test_escalations import line  # noqa: F401  (the fixture)

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
]


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
            body = {f: rng.choice(VALUES) for f in rng.sample(fields, rng.randint(1, len(fields)))}
            r = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
            if r.status_code >= 500:
                bad.append((url, body, r.status_code))
    for path in ["/api/v1/households", "/api/v1/persons", "/api/v1/escalations", "/api/v1/audit"]:
        for _ in range(30):
            q = {
                k: str(rng.choice(VALUES))
                for k in rng.sample(
                    ["q", "city", "court", "page", "page_size", "hearing_from", "status", "limit", "object_id"], 3
                )
            }
            r = client.get(path, q)
            if r.status_code >= 500:
                bad.append((path, q, r.status_code))
    assert not bad, bad[:5]
