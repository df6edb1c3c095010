"""The second factor of the request's user, typed.

django_otp's OTPMiddleware sets ``otp_device`` on every request's user at run time (the device that verified
this session, or None) and adds ``is_verified()``, which tests that attribute; the type stubs cannot know it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # models cannot be imported here: admin_site imports this module while apps load
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def is_verified(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether this session passed the second factor (False where OTPMiddleware did not run)."""
    return getattr(user, "otp_device", None) is not None
