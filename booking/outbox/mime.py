"""iMIP e-mail messages (RFC 6047): text and HTML bodies with the calendar object inline and
attached, built with ``email.policy.SMTP`` so every line ends in CRLF."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid


def build_message(*, sender: str, recipient: str, subject: str, text: str, html: str,
                  calendar: bytes | None = None, method: str | None = None,
                  headers: dict[str, str] | None = None) -> EmailMessage:
    """multipart/mixed
         multipart/alternative: text/plain, text/html, text/calendar; method=…  (inline)
         text/calendar attachment ``invite.ics`` (the same bytes)

    RFC 6047 §2.4: the ``method`` parameter of the calendar part matches METHOD in its body
    (Outlook rejects a mismatch, and renames a part without METHOD).
    """
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or None)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if calendar is not None:
        if method not in ("REQUEST", "CANCEL", "PUBLISH"):
            raise ValueError("an iMIP message needs METHOD REQUEST, CANCEL or PUBLISH")
        if f"METHOD:{method}".encode() not in calendar:
            raise ValueError("the calendar's METHOD does not match the MIME method")
        message.make_mixed()
        alternative = message.get_payload()[0]
        alternative.add_alternative(calendar, maintype="text", subtype="calendar",
                                    params={"method": method, "charset": "UTF-8"})
        message.add_attachment(calendar, maintype="text", subtype="calendar",
                               filename="invite.ics",
                               params={"method": method, "charset": "UTF-8"})
    return message
