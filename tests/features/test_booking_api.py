"""The booking part of the JSON API: every validation rule, tokens, rate limits."""

import os

import pytest

from booking import create_app
from booking.extensions import limiter
from tests.conftest import IsolatedClient, make_config
from tests.features.booking_helpers import free_slots


@pytest.fixture
def slot(demo):
    return free_slots()[0]


def body_for(slot, **changes):
    body = {"service": "follow-up", "location": slot.location_id,
            "start": slot.start.isoformat(), "language": "de", "name": "Maria Beispiel",
            "email": "maria@example.org", "consent": True}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def post(client, body, lang="de"):
    response = client.post("/api/v1/bookings", json=body, headers={"Accept-Language": lang})
    return response.status_code, response.get_json()


def test_booking_through_the_api(client, slot):
    status, body = post(client, body_for(slot, phone="+49 381 123456", interpreter=True))
    assert status == 201, body
    assert body["status"] == "confirmed" and body["manage_url"].endswith(body["token"])
    assert body["start"] == slot.start.astimezone(body_tz()).isoformat()
    assert body["interpreter"] is True
    fetched = client.get(f"/api/v1/bookings/{body['token']}").get_json()
    assert fetched["reference"] == body["reference"] and "token" not in fetched


def body_tz():
    from zoneinfo import ZoneInfo
    return ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("changes, field", [
    ({"name": ...}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"name": "Maria\u202eBeispiel"}, "name"),
    ({"name": "Maria\x00"}, "name"),
    ({"email": ...}, "email"),
    ({"email": "not-an-address"}, "email"),
    ({"email": "a@" + "b" * 260 + ".org"}, "email"),
    ({"phone": "call me"}, "phone"),
    ({"consent": ...}, "consent"),
    ({"consent": False}, "consent"),
    ({"consent": "yes"}, "consent"),
    ({"service": ...}, "service"),
    ({"location": ...}, "location"),
    ({"start": ...}, "start"),
    ({"start": "tomorrow at nine"}, "start"),
    ({"start": "2027-02-03T09:00:00"}, "start"),  # no offset: whose nine o'clock?
    ({"language": ...}, "language"),
    ({"language": "klingon"}, "language"),
    ({"counsellor": "Jonas"}, "counsellor"),
    ({"service": "nope"}, "service"),
    ({"location": "atlantis"}, "location"),
    ({"channel": "video", "service": "first-consultation"}, "channel"),
])
def test_each_invalid_field_gets_a_422_naming_it(client, slot, changes, field):
    status, body = post(client, body_for(slot, **changes))
    assert status == 422, body
    assert body["error"] == "validation" and field in body["fields"], body
    assert body["fields"][field]


def test_validation_messages_are_in_the_readers_language(client, slot):
    _, german = post(client, body_for(slot, email="nope"), lang="de")
    _, english = post(client, body_for(slot, email="nope"), lang="en")
    assert german["message"] != english["message"]
    assert english["fields"]["email"] == "Please enter an e-mail address like name@example.org."


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", "null", "42"])
def test_a_body_that_is_not_a_json_object_is_a_400(client, slot, payload):
    response = client.post("/api/v1/bookings", data=payload, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_json"


def test_a_taken_slot_is_a_409_with_alternatives(client, slot):
    assert post(client, body_for(slot))[0] == 201
    status, body = post(client, body_for(slot, email="other@example.org"))
    assert status == 409 and body["error"] == "slot_taken"
    assert body["alternatives"] and all(a["start"] != slot.start.isoformat()
                                        for a in body["alternatives"])


def test_honeypot_is_refused(client, slot):
    status, body = post(client, body_for(slot, website="http://spam.example"))
    assert status == 422 and "website" in body["fields"]


def test_unknown_and_cancelled_tokens(client, slot):
    assert client.get("/api/v1/bookings/unknown-token").status_code == 404
    assert client.delete("/api/v1/bookings/unknown-token").status_code == 404
    assert client.post("/api/v1/bookings/unknown-token/reschedule",
                       json={"start": slot.start.isoformat()}).status_code == 404
    _, created = post(client, body_for(slot))
    token = created["token"]
    first = client.delete(f"/api/v1/bookings/{token}")
    second = client.delete(f"/api/v1/bookings/{token}")
    assert first.status_code == second.status_code == 200
    assert second.get_json()["status"] == "cancelled"
    assert client.get(f"/api/v1/bookings/{token}").get_json()["status"] == "cancelled"
    moved = client.post(f"/api/v1/bookings/{token}/reschedule",
                        json={"start": slot.start.isoformat()})
    assert moved.status_code == 409 and moved.get_json()["error"] == "already_cancelled"


def test_reschedule_through_the_api(client, slot):
    _, created = post(client, body_for(slot))
    token = created["token"]
    later = free_slots()[3]
    response = client.post(f"/api/v1/bookings/{token}/reschedule",
                           json={"start": later.start.isoformat()})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["start"] == later.start.astimezone(body_tz()).isoformat()
    bad = client.post(f"/api/v1/bookings/{token}/reschedule", json={"start": "soon"})
    assert bad.status_code == 422 and "start" in bad.get_json()["fields"]
    not_json = client.post(f"/api/v1/bookings/{token}/reschedule", data="x",
                           content_type="application/json")
    assert not_json.status_code == 400


REDIS_URL = os.environ.get("BOOKING_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["memory://", REDIS_URL], ids=["memory", "redis"])
def limited_client(request, database_url, demo, frozen_now):
    """A second app on the same database with rate limits on (and low), counting in memory
    and in Redis (production shares the counters between workers there)."""
    config = type("Limited", (make_config(database_url),), {
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": request.param,
        "RATELIMIT_BOOKING_PER_IP": "4 per hour", "RATELIMIT_BOOKING_PER_EMAIL": "2 per day",
        "RATELIMIT_MANAGE_PER_TOKEN": "2 per hour", "CLOCK": staticmethod(lambda: frozen_now),
    })
    limited = create_app(config)
    limited.test_client_class = IsolatedClient
    limiter.reset()
    yield limited.test_client()
    limiter.reset()


def test_bookings_are_rate_limited_per_email(limited_client, slot):
    client = limited_client
    slots = free_slots()[::3]  # far enough apart that buffers do not touch
    codes = [post(client, body_for(s))[0] for s in slots[:3]]
    assert codes[:2] == [201, 201] and codes[2] == 429
    status, body = post(client, body_for(slots[3], email="someone.else@example.org"))
    assert status == 201  # another address is not affected by the per-address limit


def test_bookings_are_rate_limited_per_ip(limited_client, slot):
    client = limited_client
    slots = free_slots()[::3]
    codes = [post(client, body_for(s, email=f"p{i}@example.org"))[0]
             for i, s in enumerate(slots[:5])]
    assert codes == [201, 201, 201, 201, 429]
    status, body = post(client, body_for(slots[5], email="p9@example.org"))
    assert status == 429 and body["error"] == "too_many_requests" and body["message"]


def test_manage_actions_are_rate_limited_per_token(limited_client, slot):
    client = limited_client
    _, created = post(client, body_for(slot))
    token = created["token"]
    codes = [client.delete(f"/api/v1/bookings/{token}").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
