"""Request types for the type checker."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest


class AuthedRequest(HttpRequest):
    """A request to an API operation that passed authentication. django-ninja sets ``auth`` to what the
    authenticator returned; refugio.api's authenticators return the signed-in user, never anything else."""

    auth: AbstractBaseUser
