"""The public JSON API v1 (DESIGN.md §3): locations, services, languages, slots, days, bookings."""
