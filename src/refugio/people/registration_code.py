"""Registration codes: short, unambiguous, with a check character (Luhn mod 30).

No 0/O, 1/I/L or U, so a code read aloud or copied by hand survives; the check character
catches every single mistyped character and most swaps of neighbours.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 8
_N = len(ALPHABET)
_INDEX = {c: i for i, c in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    total = 0
    factor = 2
    for char in reversed(body):
        addend = factor * _INDEX[char]
        total += addend // _N + addend % _N
        factor = 1 if factor == 2 else 2
    return ALPHABET[(_N - total % _N) % _N]


# Codes drawn for public registrations start with a character of the first half of the alphabet, every other
# code with one of the second: a public registration reserves its code with one INSERT before its household
# exists (registration.models.AcceptedRegistration), and no household stored meanwhile can take it.
SELF_REGISTERED_FIRST = ALPHABET[: _N // 2]
OTHER_FIRST = ALPHABET[_N // 2 :]


def new_code(*, self_registered: bool = False) -> str:
    first = secrets.choice(SELF_REGISTERED_FIRST if self_registered else OTHER_FIRST)
    body = first + "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH - 1))
    return body + check_character(body)


def normalise(typed: str) -> str | None:
    """The canonical code for what a person typed (any case, dashes, spaces), or None if invalid."""
    code = "".join(c for c in typed.upper() if c.isalnum())
    if len(code) != BODY_LENGTH + 1 or any(c not in _INDEX for c in code):
        return None
    if check_character(code[:-1]) != code[-1]:
        return None
    return code


def display(code: str) -> str:
    """Grouped for reading: K7M2-QX9P-4."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
