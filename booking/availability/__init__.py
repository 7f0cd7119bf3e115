"""Availability: weekly hours, absences and closures, and the free slots computed from them."""
