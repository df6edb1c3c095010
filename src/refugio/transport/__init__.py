"""Trips from port to shelter to destination, seats, tickets, itineraries, destination addresses."""
