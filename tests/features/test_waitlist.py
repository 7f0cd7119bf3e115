"""The office waiting list: a cancelled time is held for the first waiting person who can
have it (in their language), blocks the time for everybody else, and goes round in turn when
they decline or let the hold run out; taking it books, or moves their booked appointment."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html import unescape
from itertools import count

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from booking import clock
from booking.appointments import services as booking_services
from booking.appointments.models import Appointment
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.outbox.models import OutboxMessage
from booking.waitlist import services
from booking.waitlist.jobs import expire_waitlist_holds
from booking.waitlist.models import SlotHold, WaitlistEntry
from booking.waitlist.notifications import render_waitlist_message
from tests.conftest import NOW, STAFF_VSP
from tests.features.booking_helpers import book, free_slots

WEDNESDAY, FRIDAY = date(2027, 2, 3), date(2027, 2, 5)
SERVICE = "first-consultation"
LATER = NOW + timedelta(days=30)  # a wish every freed time in these tests comes before
OLHA, SAMIR = "o.prykladna@vsp.example.org", "s.musterani@vsp.example.org"
_numbers = count(1)


def counsellor_id(email: str) -> int:
    return db.session.scalar(select(Counsellor.id).where(Counsellor.email == email))


def book_first(language: str, day: date, counsellor: str, location: str = "schwerin",
               **changes) -> booking_services.Booked:
    slot = next(s for s in free_slots(location, SERVICE, language, day)
                if s.counsellor_id == counsellor_id(counsellor))
    return book(slot, service_id=SERVICE, language=language, **changes)


def wait(language: str, locale: str, wanted_before: datetime = LATER, *,
         location: str = "schwerin", name: str | None = None,
         channel: str = "in_person") -> WaitlistEntry:
    """A waiting-list entry, as joining makes it, with the wished time set by the test."""
    number = next(_numbers)
    entry, _token = services.join_waitlist(services.JoinRequest(
        service_id=SERVICE, location_id=location, language=language,
        name=name or f"Wartende {number}", email=f"wartende{number}@example.org",
        consent=True, locale=locale, channel=channel), now=clock.now())
    entry.wanted_before = wanted_before
    db.session.commit()
    return entry


def open_holds() -> list[SlotHold]:
    db.session.expire_all()
    return list(db.session.scalars(select(SlotHold).where(SlotHold.status == "open")
                                   .order_by(SlotHold.id)))


def offer_mail(hold: SlotHold):
    message = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.dedupe_key == f"waitlist.offer:{hold.id}"))
    assert message is not None, "no offer e-mail queued"
    return render_waitlist_message(message)


def mail_text(mail) -> tuple[str, str]:
    return (mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content())


def offer_links(mail) -> tuple[str, str]:
    """The take and the decline link of an offer e-mail, as paths."""
    text, _html = mail_text(mail)
    urls = re.findall(r"http://[^/\s]+(/waitlist/offer/\S+)", text)
    take = next(u for u in urls if "?" not in u)
    decline = next(u for u in urls if u.endswith("?answer=no"))
    return take, decline


def travel(app, instant: datetime) -> None:
    app.config["CLOCK"] = lambda: instant


def run_job() -> int:
    changed = expire_waitlist_holds()
    db.session.commit()
    return changed


def test_cancelling_offers_the_time_to_the_first_waiting_person_in_their_language(
        demo, client):
    olha = book_first("uk", WEDNESDAY, OLHA)
    samir = book_first("ar", WEDNESDAY, SAMIR)
    arabic = wait("ar", "ar")  # first in line, but Olha does not speak Arabic
    ukrainian = wait("uk", "uk")
    second_ukrainian = wait("uk", "ru")

    assert client.delete(f"/api/v1/bookings/{olha.token}").status_code == 200
    [hold] = open_holds()
    assert hold.entry_id == ukrainian.id
    assert (hold.counsellor_id, hold.start_at) == (counsellor_id(OLHA), olha.appointment.start_at)
    assert hold.expires_at == NOW + timedelta(minutes=60)
    db.session.refresh(arabic)
    db.session.refresh(second_ukrainian)
    assert (arabic.status, second_ukrainian.status) == ("waiting", "waiting")

    mail = offer_mail(hold)
    text, html = mail_text(mail)
    assert mail["To"].addresses[0].addr_spec == db.session.get(
        WaitlistEntry, ukrainian.id).client_email
    assert "лютого" in mail["Subject"]  # the date in Ukrainian
    assert 'lang="uk"' in html and 'dir="ltr"' in html
    assert "08:00" in text  # held until 08:00 Berlin time (07:00 UTC)

    # The held time is taken for everybody else: not listed, not bookable.
    start = olha.appointment.start_at
    listed = client.get("/api/v1/slots?service=first-consultation&location=schwerin"
                        "&language=uk&start=2027-02-03&end=2027-02-04").get_json()["slots"]
    assert start.isoformat() not in {datetime.fromisoformat(s["start"]).isoformat()
                                     for s in listed}
    refused = client.post("/api/v1/bookings", json={
        "service": SERVICE, "location": "schwerin", "start": start.isoformat(),
        "language": "uk", "name": "Schnelle Person", "email": "schnell@example.org",
        "consent": True})
    assert refused.status_code == 409

    # … but the holder can take it.
    take, _decline = offer_links(mail)
    page = client.get(take)
    assert page.status_code == 200
    taken = client.post(take, data={"answer": "take"})
    assert taken.status_code == 303 and "booked=1" in taken.headers["Location"]
    db.session.expire_all()
    booked = db.session.scalar(select(Appointment).where(
        Appointment.status == "confirmed", Appointment.start_at == start))
    assert booked.counsellor_id == counsellor_id(OLHA)
    assert (booked.language_code, booked.locale, booked.source) == ("uk", "uk", "online")
    assert booked.client_email == db.session.get(WaitlistEntry, ukrainian.id).client_email
    assert db.session.get(SlotHold, hold.id).status == "taken"
    assert db.session.get(WaitlistEntry, ukrainian.id).status == "booked"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.appointment_id == booked.id,
        OutboxMessage.topic == "appointment.booked")) == 2  # client and counsellor

    # Samir's Arabic time, cancelled on the manage page, goes to the Arabic speaker.
    assert client.post(f"/manage/{samir.token}/cancel").status_code == 303
    [hold] = open_holds()
    assert hold.entry_id == arabic.id
    mail = offer_mail(hold)
    _text, html = mail_text(mail)
    assert "فبراير" in mail["Subject"]
    assert 'lang="ar"' in html and 'dir="rtl"' in html


def test_declining_passes_the_time_to_the_next_who_keeps_no_place_ahead(demo, client):
    olha = book_first("uk", WEDNESDAY, OLHA)
    later = book_first("uk", FRIDAY, OLHA)
    first, second = wait("uk", "uk"), wait("uk", "de")
    booking_services.cancel_appointment(olha.appointment, now=clock.now())
    db.session.commit()
    [hold] = open_holds()
    assert hold.entry_id == first.id

    take, decline = offer_links(offer_mail(hold))
    page = client.get(decline)
    assert page.status_code == 200 and 'value="take"' not in page.get_data(as_text=True)
    response = client.post(take, data={"answer": "decline"})
    assert response.status_code == 303 and "done=declined" in response.headers["Location"]
    [next_hold] = open_holds()
    assert db.session.get(SlotHold, hold.id).status == "declined"
    assert (next_hold.entry_id, next_hold.start_at) == (second.id, hold.start_at)
    assert db.session.get(WaitlistEntry, first.id).status == "waiting"
    assert client.get(take).status_code == 410  # the declined offer is closed

    # The first keeps their place: the next freed time is theirs.
    booking_services.cancel_appointment(db.session.get(Appointment, later.appointment.id),
                                        now=clock.now())
    db.session.commit()
    newest = open_holds()[-1]
    assert (newest.entry_id, newest.start_at) == (first.id, later.appointment.start_at)


def test_the_job_expires_holds_in_turn_and_never_offers_twice(app, demo, client):
    olha = book_first("uk", WEDNESDAY, OLHA)
    first, second = wait("uk", "uk"), wait("uk", "uk")
    booking_services.cancel_appointment(olha.appointment, now=clock.now())
    db.session.commit()
    [hold] = open_holds()
    take, _decline = offer_links(offer_mail(hold))

    assert run_job() == 0  # nothing due yet
    travel(app, NOW + timedelta(minutes=61))
    assert run_job() == 1
    [next_hold] = open_holds()
    assert db.session.get(SlotHold, hold.id).status == "expired"
    assert db.session.get(WaitlistEntry, first.id).status == "waiting"
    assert next_hold.entry_id == second.id
    assert next_hold.expires_at == NOW + timedelta(minutes=121)
    assert run_job() == 0  # a second run changes nothing
    assert len(open_holds()) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.topic == "waitlist.offer")) == 2

    # The run-out offer shows a clear page with a way back to the booking flow.
    for response in (client.get(take), client.post(take, data={"answer": "take"})):
        body = response.get_data(as_text=True)
        assert response.status_code == 410
        assert "/book/day?" in unescape(body) and "location=schwerin" in unescape(body)
    assert client.get("/waitlist/offer/not-a-token").status_code == 404

    # Both have been asked: when the second hold runs out the time is simply free again.
    travel(app, NOW + timedelta(minutes=122))
    assert run_job() == 1
    assert open_holds() == []
    assert db.session.scalar(select(func.count()).select_from(SlotHold)) == 2


def test_wishes_whose_time_has_passed_expire(app, demo):
    entry = wait("uk", "uk", wanted_before=NOW + timedelta(hours=2))
    travel(app, NOW + timedelta(hours=2))
    assert run_job() == 1
    assert db.session.get(WaitlistEntry, entry.id).status == "expired"
    assert run_job() == 0


@pytest.mark.parametrize("with_hold", [False, True])
def test_withdrawing_passes_an_offered_time_on(demo, client, with_hold):
    olha = book_first("uk", WEDNESDAY, OLHA)
    first, second = wait("uk", "uk"), wait("uk", "uk")
    if with_hold:
        booking_services.cancel_appointment(olha.appointment, now=clock.now())
        db.session.commit()
    token = services.entry_token(db.session.get(WaitlistEntry, first.id))
    assert client.post(f"/waitlist/{token}/withdraw").status_code == 303
    db.session.expire_all()
    assert db.session.get(WaitlistEntry, first.id).status == "withdrawn"
    assert [h.entry_id for h in open_holds()] == ([second.id] if with_hold else [])


def test_taking_an_offer_moves_a_booked_appointment_and_frees_its_time(demo, client, sign_in):
    olha = book_first("uk", WEDNESDAY, OLHA)
    mine = book_first("uk", FRIDAY, OLHA, name="Bohdan Beispiel", email="bohdan@example.org",
                      locale="uk")
    reference, old_start = mine.appointment.reference, mine.appointment.start_at

    manage = client.get(f"/manage/{mine.token}").get_data(as_text=True)
    assert f"/waitlist/appointment/{mine.token}" in manage
    assert client.get(f"/waitlist/appointment/{mine.token}").status_code == 200
    joined = client.post(f"/waitlist/appointment/{mine.token}")
    assert joined.status_code == 303 and "/waitlist/" in joined.headers["Location"]
    entry = db.session.scalar(select(WaitlistEntry).where(
        WaitlistEntry.appointment_id == mine.appointment.id))
    assert (entry.wanted_before, entry.status, entry.locale) == (old_start, "waiting", "uk")
    assert client.post(f"/waitlist/appointment/{mine.token}").status_code == 303  # no twin
    assert db.session.scalar(select(func.count()).select_from(WaitlistEntry)) == 1
    after_me = wait("uk", "uk", wanted_before=old_start + timedelta(days=1))

    # Office staff cancel the Wednesday appointment in the agenda.
    staff = sign_in(STAFF_VSP)
    assert staff.post(f"/staff/appointments/{olha.appointment.reference}/cancel"
                      ).status_code == 303
    [hold] = open_holds()
    assert (hold.entry_id, hold.start_at) == (entry.id, olha.appointment.start_at)
    take, _decline = offer_links(offer_mail(hold))
    assert reference in client.get(take).get_data(as_text=True)

    moved = client.post(take, data={"answer": "take"})
    assert moved.status_code == 303
    assert moved.headers["Location"].endswith(f"/manage/{mine.token}?done=moved")
    db.session.expire_all()
    appointment = db.session.get(Appointment, mine.appointment.id)
    assert (appointment.reference, appointment.start_at) == (reference, hold.start_at)
    assert appointment.ical_sequence == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.appointment_id == appointment.id,
        OutboxMessage.topic == "appointment.moved")) == 2
    assert db.session.get(WaitlistEntry, entry.id).status == "booked"

    # Friday's time is free again and goes to the next person waiting for it.
    [next_hold] = open_holds()
    assert (next_hold.entry_id, next_hold.start_at) == (after_me.id, old_start)


def test_cancelling_an_appointment_ends_its_wish_to_move(demo, client):
    mine = book_first("uk", FRIDAY, OLHA)
    assert client.post(f"/waitlist/appointment/{mine.token}").status_code == 303
    assert client.post(f"/manage/{mine.token}/cancel").status_code == 303
    db.session.expire_all()
    entry = db.session.scalar(select(WaitlistEntry))
    assert entry.status == "withdrawn"
    assert open_holds() == []
    # A cancelled appointment cannot wait for an earlier time any more.
    assert client.get(f"/waitlist/appointment/{mine.token}").status_code == 409
    assert client.post(f"/waitlist/appointment/{mine.token}").status_code == 409


def test_a_wish_to_move_is_offered_only_an_earlier_time(demo):
    mine = book_first("uk", WEDNESDAY, OLHA, email="bohdan@example.org")
    entry, _token = services.join_for_appointment(mine.appointment, now=clock.now())
    entry.wanted_before = LATER  # wants earlier than LATER, but Wednesday is booked already
    other = wait("uk", "uk")
    friday = book_first("uk", FRIDAY, OLHA)
    booking_services.cancel_appointment(friday.appointment, now=clock.now())
    db.session.commit()
    [hold] = open_holds()
    assert hold.entry_id == other.id  # moving Wednesday to Friday would be no gain
    assert db.session.get(WaitlistEntry, entry.id).status == "waiting"


def test_a_cancellation_nobody_waits_for_costs_two_queries(demo):
    """The waiting list's share of every cancellation: the appointment's own wish to move,
    and who waits at the place; the slot engine does not run."""
    from sqlalchemy import event

    from booking.waitlist.offers import offer_freed_time

    olha = book_first("uk", WEDNESDAY, OLHA)
    appointment = db.session.get(Appointment, olha.appointment.id)
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert offer_freed_time(appointment, now=clock.now()) is None
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 2, statements


def test_a_phone_client_taking_an_offer_gets_a_phone_appointment(demo, client):
    olha = book_first("uk", WEDNESDAY, OLHA)
    entry = wait("uk", "uk", channel="phone")
    booking_services.cancel_appointment(olha.appointment, now=clock.now())
    db.session.commit()
    [hold] = open_holds()
    mail = offer_mail(hold)
    text, _html = mail_text(mail)
    with force_locale("uk"):
        by_phone = _("By phone: the counsellor calls you at the number you gave.")
    assert by_phone in text
    take, _decline = offer_links(mail)
    assert client.post(take, data={"answer": "take"}).status_code == 303
    db.session.expire_all()
    booked = db.session.get(Appointment, db.session.get(WaitlistEntry, entry.id).appointment_id)
    assert booked.channel == "phone" and booked.start_at == olha.appointment.start_at
