from __future__ import annotations

from django.db import models

from refugio.encryption import EncryptedTextField


class IdempotencyRecord(models.Model):
    """The answer given to a request with an Idempotency-Key, so a retry gets the same answer and
    creates nothing new. The key is unique: two concurrent retries cannot both create a household."""

    key = models.CharField(max_length=200, unique=True)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    household = models.ForeignKey("people.Household", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class AcceptedRegistration(models.Model):
    """A public registration as acknowledged: validated, encrypted and stored with one INSERT, then stored as a
    household (people) by a worker, a batch at a time (registration.tasks). The row stays afterwards, its
    content erased, as the receipt of the code and the Idempotency-Key: a retry still gets the first answer,
    and a code once given is never given again.

    Its id is the household's id and its code the household's code, both given to the person at once."""

    id = models.UUIDField(primary_key=True)
    registration_code = models.CharField(max_length=9, unique=True)
    idempotency_key = models.CharField(max_length=200, unique=True, null=True)
    request_digest = models.CharField(max_length=64)
    # The organisation receiving public registrations when it was accepted (its households will be theirs).
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # What the person sent, as the household service takes it (JSON), with the language and client address;
    # emptied once stored as a household.
    content = EncryptedTextField(blank=True)
    accepted_at = models.DateTimeField()
    stored_at = models.DateTimeField(null=True)
    # Why it could not be stored (an operator's look; the content stays): never a person's data.
    problem = models.TextField(blank=True)

    class Meta:
        indexes = [
            # The worker's queue: only the rows still to store, however many receipts pile up.
            models.Index(fields=["accepted_at"], name="accepted_to_store", condition=models.Q(stored_at__isnull=True)),
        ]
