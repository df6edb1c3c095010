"""Fill a benchmark database with N synthetic households already stored, as after weeks of registrations.

    REFUGIO_* / DATABASE_URL as for `refugio serve`; .venv/bin/python bench/preload.py --households 500000 --org ID

Validated and encrypted like a registration (the same cleaning and field encryption), but written with bulk
inserts and without audit events: the point is the size of the tables and indexes a surge meets, not the
time it took to get there. People count as already checked for duplicates, and every household is scored.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, required=True)
    parser.add_argument("--org", type=int, required=True, help="owning organisation id")
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)  # not the seed of the registrations that follow
    args = parser.parse_args()
    django.setup()

    from django.db import connection, transaction
    from django.utils import timezone

    from refugio.people.models import Household, Person, PersonVulnerability
    from refugio.people.registration_code import new_code
    from refugio.people.services import _apply_household, _apply_person, check_household
    from refugio.synth.generator import generate
    from refugio.triage.services import score_all

    started = time.perf_counter()
    households: list[Household] = []
    people: list[Person] = []
    vulnerabilities: list[PersonVulnerability] = []
    codes: set[str] = set()
    stored = 0

    def flush() -> None:
        with transaction.atomic():
            Household.objects.bulk_create(households)
            Person.objects.bulk_create(people)
            PersonVulnerability.objects.bulk_create(vulnerabilities)
        households.clear()
        people.clear()
        vulnerabilities.clear()

    for synthetic in generate(args.households, seed=args.seed):
        data = asdict(synthetic)
        members = [{k: v for k, v in m.items() if k not in {"person_id", "household_id"}} for m in data.pop("members")]
        for member in members:
            member["languages"] = [x for x in member["languages"].split(";") if x]
            member["vulnerabilities"] = [x for x in member["vulnerabilities"].split(";") if x]
        for key in ("household_id", "registered_on", "size"):
            data.pop(key)
        cleaned, cleaned_members = check_household(data, members)
        now = timezone.now()
        code = new_code()
        while code in codes:
            code = new_code()
        codes.add(code)
        household = Household(owner_id=args.org, created_at=now, updated_at=now, registration_code=code)
        _apply_household(household, cleaned)
        households.append(household)
        for member_clean in cleaned_members:
            person = Person(household=household, created_at=now, updated_at=now, duplicates_checked_at=now)
            for vulnerability in _apply_person(person, member_clean) or []:
                vulnerabilities.append(PersonVulnerability(person=person, code=vulnerability, confirmed_at=now))
            people.append(person)
        stored += 1
        if len(households) >= args.batch:
            flush()
    if households:
        flush()
    inserted = time.perf_counter() - started
    scored = score_all(only_unscored=True, batch_size=2000)
    if connection.vendor == "postgresql":
        # Tables filled over weeks have been analyzed by autovacuum; a bulk load has not, and without statistics
        # PostgreSQL plans the surge's queries for empty tables.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        json.dumps(
            {
                "households": stored,
                "scored": scored,
                "insert_seconds": round(inserted, 1),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
