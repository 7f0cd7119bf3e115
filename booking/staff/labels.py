"""Labels of the staff pages for appointment statuses, booking sources and audit actions.

The client pages say "Booked" to the client ("you are booked"); staff read the same status as
a neutral state, so these carry their own message context and translations.
"""

from __future__ import annotations

from flask_babel import lazy_pgettext

STATUS_LABELS = {
    "confirmed": lazy_pgettext("appointment status", "Booked"),
    "attended": lazy_pgettext("appointment status", "Took place"),
    "no_show": lazy_pgettext("appointment status", "Missed"),
    "cancelled": lazy_pgettext("appointment status", "Cancelled"),
}
SOURCE_LABELS = {
    "online": lazy_pgettext("booking source", "Online booking"),
    "api": lazy_pgettext("booking source", "Partner system (API)"),
    "desk": lazy_pgettext("booking source", "Office desk"),
}
ACTION_LABELS = {
    "view": lazy_pgettext("audit action", "Viewed"),
    "create": lazy_pgettext("audit action", "Booked"),
    "cancel": lazy_pgettext("audit action", "Cancelled"),
    "move": lazy_pgettext("audit action", "Moved"),
    "update": lazy_pgettext("audit action", "Changed"),
    "print": lazy_pgettext("audit action", "Printed"),
    "export": lazy_pgettext("audit action", "Exported"),
    "delete": lazy_pgettext("audit action", "Deleted"),
}


def staff_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def labels() -> dict:
    """For the templates' context."""
    return {"staff_status_label": staff_status_label, "source_label": source_label,
            "action_label": action_label}
