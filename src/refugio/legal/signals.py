"""Calendar feeds die with the access they carry: when a membership ends or an account is deactivated,
the user's feeds that no longer carry access are revoked. The feed view also checks at every request,
which catches what sends no signal (a bulk update, a role changed in place)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from refugio.accounts.models import Membership
from refugio.legal.services import revoke_dead_feeds


@receiver(post_delete, sender=Membership, dispatch_uid="legal.revoke_feeds_on_membership_end")
def _membership_ended(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:  # noqa: ANN401
    revoke_dead_feeds(instance.user_id)


@receiver(post_save, sender=get_user_model(), dispatch_uid="legal.revoke_feeds_on_deactivation")
def _user_saved(sender: type, instance: Any, **kwargs: Any) -> None:  # noqa: ANN401
    if not instance.is_active:
        revoke_dead_feeds(instance.pk)
