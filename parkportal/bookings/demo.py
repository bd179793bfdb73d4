"""Demo bookings (filled in by the bookings work)."""

from __future__ import annotations


def seed_bookings(rng, enterprises, lawyers) -> str:
    """Add a realistic booking history; returns a summary."""
    return "no bookings yet"
