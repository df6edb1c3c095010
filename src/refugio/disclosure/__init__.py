"""One door for personal data: authorize, audit exactly the fields shown, project.

Every page, endpoint, export and feed that shows personal data declares a `Surface` and calls
`disclose_one` / `disclose_many`. Nothing else filters for visibility, records READ events or picks
fields for display.
"""

from refugio.accounts.rules import Subject, Verb, roles_for
from refugio.disclosure.core import (
    Kind,
    Nested,
    Projection,
    Surface,
    authorize,
    disclose_many,
    disclose_one,
    register_kind,
)

__all__ = [
    "Kind",
    "Nested",
    "Projection",
    "Subject",
    "Surface",
    "Verb",
    "authorize",
    "disclose_many",
    "disclose_one",
    "register_kind",
    "roles_for",
]
