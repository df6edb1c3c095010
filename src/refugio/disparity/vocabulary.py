"""The words of disparity monitoring: the self-identified categories and the breakdowns compared."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RaceEthnicity(models.TextChoices):
    """What a person may choose to say about themselves, only with consent, only to watch for unfair waits."""

    BLACK = "black", _("Black / Afro-descendant")
    INDIGENOUS = "indigenous", _("Indigenous")
    MESTIZO = "mestizo", _("Mestizo")
    WHITE = "white", _("White")
    ASIAN = "asian", _("Asian")
    OTHER = "other", _("Other")
    PREFER_NOT = "prefer_not", _("Prefer not to say")


class Dimension(models.TextChoices):
    """The breakdowns compared: each household counts in one group of each (the head of household's)."""

    NATIONALITY = "nationality", _("Nationality")
    LANGUAGE = "language", _("Language")
    SEX = "sex", _("Sex")
    AGE_BAND = "age_band", _("Age")
    RACE_ETHNICITY = "race_ethnicity", _("Race or ethnicity (self-identified, with consent)")


class AgeBand(models.TextChoices):
    CHILD = "0-17", _("Under 18")
    YOUNG = "18-29", _("18 to 29")
    ADULT = "30-44", _("30 to 44")
    MIDDLE = "45-59", _("45 to 59")
    OLDER = "60+", _("60 and over")
    UNKNOWN = "unknown", _("Age not known")


def age_band(birth_year: int | None, year: int) -> str:
    if birth_year is None:
        return AgeBand.UNKNOWN
    age = year - birth_year
    if age < 18:
        return AgeBand.CHILD
    if age < 30:
        return AgeBand.YOUNG
    if age < 45:
        return AgeBand.ADULT
    if age < 60:
        return AgeBand.MIDDLE
    return AgeBand.OLDER
