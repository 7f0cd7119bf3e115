"""Appointments: a client's booked consultation with a counsellor at a location."""
