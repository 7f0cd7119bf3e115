"""Publishing a tour invites the people waiting for its towns: one e-mail each, in their
language, with a booking link into the flow for that day; never twice."""

from __future__ import annotations

from datetime import date, time, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from booking import clock
from booking.counsellors.models import Counsellor
from booking.demand.models import InterestRegistration
from booking.demand.services import InterestRequest, invite_for_tour, register_interest
from booking.extensions import db
from booking.outbox.delivery import deliver_due_messages
from booking.outbox.models import OutboxMessage
from tests.conftest import COUNSELLOR_VSP
from tests.factories import create_tour

TUESDAY = date(2027, 2, 16)


def register(town: str, email: str, locale: str = "en", language: str = "ar",
             service: str = "first-consultation") -> InterestRegistration:
    registration = register_interest(InterestRequest(
        town_id=town, service_id=service, language=language, name=email.split("@")[0].title(),
        email=email, consent=True, locale=locale), now=clock.now())
    db.session.commit()
    return registration


def vsp_tour(**fields):
    counsellor = db.session.scalar(select(Counsellor).where(Counsellor.email == COUNSELLOR_VSP))
    tour = create_tour(counsellor, TUESDAY, [("wismar", time(10), time(12)),
                                             ("grevesmuehlen", time(13), time(15))], **fields)
    db.session.commit()
    return tour


def invitations() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.topic == "demand.invitation").order_by(OutboxMessage.id)))


def test_invitations_in_each_language_with_a_working_booking_link(client, demo, smtp_server):
    english = register("wismar", "amal@example.org", "en")
    ukrainian = register("grevesmuehlen", "olena@example.org", "uk", language="uk")
    withdrawn = register("wismar", "gone@example.org")
    withdrawn.status = "withdrawn"
    register("stralsund", "migra@example.org")  # another town, another organisation
    register("gadebusch", "later@example.org")  # waiting for a town not on this tour
    db.session.commit()
    deliver_due_messages()  # the confirmations
    seen = len(smtp_server.received)

    tour = vsp_tour()
    assert invite_for_tour(tour) == 2
    db.session.commit()
    assert deliver_due_messages()["sent"] == 2
    by_recipient = {r.recipients[0]: r.message for r in smtp_server.received[seen:]}
    assert set(by_recipient) == {"amal@example.org", "olena@example.org"}

    mail = by_recipient["amal@example.org"]
    assert mail["Subject"] == "Mobile advice day in Wismar on Tuesday, February 16, 2027"
    text = mail.get_body(("plain",)).get_content()
    assert "10:00" in text and "12:00" in text  # the counselling window, local time
    assert "Mobile Beratung Wismar" in text
    link = next(w for w in text.split() if w.startswith("http://127.0.0.1:5000/book/time?"))
    assert parse_qs(urlsplit(link).query) == {
        "service": ["first-consultation"], "language": ["ar"], "location": ["wismar"],
        "channel": ["in_person"], "day": ["2027-02-16"]}
    assert "http://127.0.0.1:5000/interest/" in text and "/withdraw" in text
    page = client.get(link.removeprefix("http://127.0.0.1:5000"))
    assert page.status_code == 200
    assert "Wismar" in page.get_data(as_text=True)

    mail = by_recipient["olena@example.org"]
    assert "вівторок" in mail["Subject"]  # the date in Ukrainian
    assert 'lang="uk"' in mail.get_body(("html",)).get_content()
    assert "location=grevesmuehlen" in mail.get_body(("plain",)).get_content()

    db.session.expire_all()
    english, ukrainian = db.session.merge(english), db.session.merge(ukrainian)
    for registration in (english, ukrainian):
        assert registration.status == "invited"
        assert registration.invited_tour_id == tour.id
        assert registration.invited_at == clock.now()


def test_inviting_twice_sends_nothing_more(demo):
    register("wismar", "amal@example.org")
    tour = vsp_tour()
    assert invite_for_tour(tour) == 1
    db.session.commit()
    assert invite_for_tour(tour) == 0
    db.session.commit()
    assert len(invitations()) == 1


def test_a_draft_tour_invites_nobody(demo):
    register("wismar", "amal@example.org")
    assert invite_for_tour(vsp_tour(status="draft")) == 0
    assert invitations() == []


def test_a_registration_after_publishing_is_invited_by_the_next_call(demo):
    tour = vsp_tour()
    assert invite_for_tour(tour) == 0
    register("wismar", "amal@example.org")
    assert invite_for_tour(tour) == 1
    db.session.commit()
    assert len(invitations()) == 1


def test_invitation_of_a_tour_cancelled_before_sending_is_skipped(demo, smtp_server):
    register("wismar", "amal@example.org")
    deliver_due_messages()
    seen = len(smtp_server.received)
    tour = vsp_tour()
    invite_for_tour(tour)
    tour.status, tour.cancelled_at = "cancelled", clock.now() + timedelta(minutes=1)
    db.session.commit()
    counts = deliver_due_messages()
    assert counts["sent"] == 0
    assert len(smtp_server.received) == seen
