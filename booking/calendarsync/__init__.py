"""Sync with counsellors' own calendars: busy times in (ICS URL or CalDAV), appointments out (CalDAV)."""
