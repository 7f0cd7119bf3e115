"""Sync with counsellors' calendars: busy times in (ICS URL, CalDAV), appointments out."""
