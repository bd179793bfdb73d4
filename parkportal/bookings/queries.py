"""The lists of bookings: what each page shows, as queries over the session (views only render them)."""

from __future__ import annotations

from sqlalchemy.orm import selectinload

from ..models import Appointment

#: What a booking card (``bookings/_card.html``) shows besides the appointment: loaded with the list, not per row.
CARD_OPTIONS = (
    selectinload(Appointment.service_type),
    selectinload(Appointment.lawyer),
    selectinload(Appointment.enterprise),
)
