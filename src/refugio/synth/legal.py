"""Synthetic cases (one per synthetic household) and a roster of volunteer attorneys. No Django import."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from refugio.synth.generator import DEFAULT_AS_OF, SynthHousehold

EXPERTISE_FROM_VULNERABILITY = {
    "unaccompanied_child": "unaccompanied_minor",
    "gender_violence": "gender_based_violence",
    "lgbtqi": "lgbtqi",
    "kidnapping_survivor": "torture_trauma",
}
# Courts near the border are where volunteers appear most.
COURT_WEIGHTS = {
    "SDI": 20,
    "ELP": 18,
    "HLG": 14,
    "BRO": 10,
    "LRD": 8,
    "SNA": 8,
    "PHO": 6,
    "HOU": 5,
    "LOS": 5,
    "MIA": 2,
    "NYC": 2,
    "CHI": 2,
}
EXPERTISE_RATES = {
    "detained": 0.3,
    "unaccompanied_minor": 0.35,
    "gender_based_violence": 0.45,
    "appeals": 0.25,
    "lgbtqi": 0.3,
    "torture_trauma": 0.35,
}


def _attorney(rng: random.Random, index: int) -> dict[str, str]:
    languages = ["en"]
    if rng.random() < 0.9:
        languages.append("es")
    if rng.random() < 0.1:
        languages += ["ht", "fr"]
    if rng.random() < 0.05:
        languages.append("pt")
    if rng.random() < 0.03:
        languages.append(rng.choice(["quc", "mam", "kjb"]))
    courts = set(rng.choices(list(COURT_WEIGHTS), weights=list(COURT_WEIGHTS.values()), k=rng.randint(1, 3)))
    expertise = [tag for tag, rate in EXPERTISE_RATES.items() if rng.random() < rate]
    return {
        "attorney_id": f"ATT{index:06d}",
        "languages": ";".join(languages),
        "courts": ";".join(sorted(courts)),
        "expertise": ";".join(expertise),
        "capacity": str(rng.randint(5, 35)),
    }


class LegalWriter:
    """cases.csv (one case per synthetic household, in the `refugio match` format) and attorneys.csv."""

    def __init__(self, out: Path, seed: int, as_of: dt.date = DEFAULT_AS_OF) -> None:
        self.out, self.as_of = out, as_of
        self.rng = random.Random(seed * 7919 + 1)
        self.cases = 0
        out.mkdir(parents=True, exist_ok=True)
        self._handle = (out / "cases.csv").open("w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._handle, lineterminator="\n")
        self._writer.writerow(["case_id", "languages", "court", "needs", "days_to_hearing"])

    def add(self, household: SynthHousehold) -> None:
        rng = self.rng
        head = household.members[0]
        languages = sorted({lang for m in household.members for lang in m.languages.split(";") if lang})
        court = head.immigration_court or rng.choices(list(COURT_WEIGHTS), weights=list(COURT_WEIGHTS.values()))[0]
        needs = {
            EXPERTISE_FROM_VULNERABILITY[v]
            for m in household.members
            for v in m.vulnerabilities.split(";")
            if v in EXPERTISE_FROM_VULNERABILITY
        }
        if rng.random() < 0.05:
            needs.add("detained")
        if rng.random() < 0.03:
            needs.add("appeals")
        if head.next_hearing_date:
            days = (dt.date.fromisoformat(head.next_hearing_date) - self.as_of).days
        else:
            days = rng.randint(200, 900)
        self._writer.writerow([household.household_id, ";".join(languages), court, ";".join(sorted(needs)), days])
        self.cases += 1

    def finish(self, attorneys: int) -> tuple[int, int]:
        self._handle.close()
        with (self.out / "attorneys.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(
                handle, ["attorney_id", "languages", "courts", "expertise", "capacity"], lineterminator="\n"
            )
            writer.writeheader()
            for index in range(1, attorneys + 1):
                writer.writerow(_attorney(self.rng, index))
        return self.cases, attorneys
