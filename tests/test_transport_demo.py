"""The transport demo: trips, tickets and two destination addresses, created once however often it runs."""

from __future__ import annotations

from refugio.accounts.models import Organisation, Role
from refugio.transport.demo import load_transport_demo
from refugio.transport.models import Relocation, Ticket, Trip

from .conftest import make_user, new_household


def test_demo_is_idempotent(db: object) -> None:
    shelter = Organisation.objects.create(name="Demo Shelter", kind="shelter")
    staff = make_user("shelter-staff", shelter, Role.SHELTER_STAFF)
    for _ in range(3):
        new_household(staff, shelter)
    load_transport_demo({"Demo Shelter": shelter}, {"shelter-staff": staff})
    counts = (Trip.objects.count(), Ticket.objects.count(), Relocation.objects.count())
    assert counts == (5, 5, 2)
    assert set(Trip.objects.values_list("mode", flat=True)) == {"bus", "flight"}
    assert Ticket.objects.filter(trip__mode="flight").count() == 1
    load_transport_demo({"Demo Shelter": shelter}, {"shelter-staff": staff})
    assert (Trip.objects.count(), Ticket.objects.count(), Relocation.objects.count()) == counts
