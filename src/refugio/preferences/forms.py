from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from refugio.preferences.vocabulary import TIME_ZONES

# An empty first choice until the person chooses: the defaults are not their choice.
_BLANK = [("", "—")]


def _languages() -> list[tuple[str, str]]:
    return _BLANK + list(settings.LANGUAGES)


def _time_zones() -> list[tuple[str, str]]:
    return _BLANK + [(code, str(label)) for code, label in TIME_ZONES.items()]


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of e-mails and notices"), choices=_languages)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zones)
