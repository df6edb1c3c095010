"""Transport ids for the disclosure walk: trips (seen by anyone with a transport role; foreign for users with
none) and tickets (of households the user may or may not see)."""

from __future__ import annotations

from typing import Any


def extend(user: Any, own: dict[str, Any], foreign: dict[str, Any]) -> None:  # noqa: ANN401
    from refugio.transport import selectors
    from refugio.transport.models import Ticket, Trip

    trips = selectors.visible_trips(user)
    own_trip = trips.order_by("departs_at").first()
    if own_trip is not None:
        own["trip_id"] = own_trip.id
    else:
        other = Trip.objects.order_by("departs_at").first()
        if other is not None:
            foreign["trip_id"] = other.id
    visible = selectors.visible_tickets(user)
    own_ticket = visible.first()
    foreign_ticket = Ticket.objects.exclude(id__in=visible.values("id")).first()
    own["ticket_id"] = own_ticket.id if own_ticket else 1
    if foreign_ticket is not None:
        foreign["ticket_id"] = foreign_ticket.id
