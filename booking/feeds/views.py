"""Calendar feeds: the ``.ics`` subscriptions (public blueprint, GET only) and the staff page
where counsellors and office staff create, rotate, revoke and configure their feed links.

The feed answers are built for calendar apps that poll every hour: a strong ETag and a
Last-Modified from a fingerprint query, and a 304 answered without rendering any event.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.http import http_date

from booking.appointments.tokens import public_url
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.feeds import services
from booking.feeds.content import (
    PAST_DAYS,
    Subject,
    Validators,
    feed_window,
    load_tables,
    subject_of,
    validators,
)
from booking.feeds.events import render_outreach_feed, render_secret_feed
from booking.feeds.forms import PrivacyForm
from booking.feeds.models import CalendarFeed
from booking.staff.access import (
    COUNSELLOR,
    STAFF,
    counsellor_or_404,
    organisation_or_404,
    roles_required,
    visible_counsellors,
)

public_bp = Blueprint("public_feeds", __name__, url_prefix="/feeds")
bp = Blueprint("feeds", __name__, url_prefix="/staff")

CALENDAR_TYPE = "text/calendar; charset=utf-8"
# Secret feeds: only the subscriber's own cache; the public one may be shared by proxies.
# "no-transform" keeps proxies from compressing: gzip breaks Outlook subscriptions.
PRIVATE_CACHING = "private, max-age=300, no-transform"
PUBLIC_CACHING = "public, max-age=900, no-transform"
OUTREACH_LOCALE = "de"


# -- the feeds ------------------------------------------------------------------------------

def is_not_modified(current: Validators) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present (weak comparison, §13.1.2: W/"x"
    matches "x"; "*" matches any current representation); If-Modified-Since counts only
    without it (§13.1.3), and an unreadable date is ignored."""
    if "If-None-Match" in request.headers:
        return request.if_none_match.contains_weak(current.etag.strip('"'))
    since = request.if_modified_since
    return since is not None and current.last_modified <= since


class RenderedFeeds:
    """The last rendered bodies, by address and strong ETag. A strong ETag names exactly one
    body, so a hit is always current; it spares the render (mostly icalendar serialising) for
    calendar apps that poll without validators. Per process, small, thread-safe."""

    def __init__(self, size: int = 64):
        self.size = size
        self._bodies: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._bodies.clear()

    def get(self, key: tuple[str, str], render: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._bodies:
                self._bodies.move_to_end(key)
                return self._bodies[key]
        body = render()
        with self._lock:
            self._bodies[key] = body
            while len(self._bodies) > self.size:
                self._bodies.popitem(last=False)
        return body


rendered = RenderedFeeds()


def calendar_response(current: Validators, render: Callable[[], bytes],
                      caching: str) -> Response:
    headers = {"ETag": current.etag, "Last-Modified": http_date(current.last_modified),
               "Cache-Control": caching}
    if is_not_modified(current):
        # §15.4.5: the validators and caching headers a 200 would have carried, no body.
        return Response(status=304, headers=headers)
    body = rendered.get((request.path, current.etag), render)
    return Response(body, status=200, headers=headers, content_type=CALENDAR_TYPE)


def _secret_feed(kind: str, token: str) -> Response:
    feed = services.find_feed(kind, token)
    if feed is None:
        abort(404)
    subject = subject_of(feed)
    window = feed_window(PAST_DAYS)
    tables = load_tables(subject, window)
    response = calendar_response(validators(subject, window, tables),
                                 lambda: render_secret_feed(subject, window, tables),
                                 PRIVATE_CACHING)
    # Nothing is written and nothing personal is logged: calendar apps poll every hour.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@public_bp.get("/counsellors/<token>.ics")
def counsellor_feed(token: str):
    return _secret_feed("counsellor", token)


@public_bp.get("/organisations/<token>.ics")
def organisation_feed(token: str):
    return _secret_feed("organisation", token)


@public_bp.get("/outreach.ics")
def outreach_feed():
    """Upcoming mobile advice days, public: places and times only."""
    subject = Subject(OUTREACH_LOCALE)
    window = feed_window(0)
    tables = load_tables(subject, window)
    return calendar_response(validators(subject, window, tables),
                             lambda: render_outreach_feed(subject, window, tables),
                             PUBLIC_CACHING)


# -- the staff page -------------------------------------------------------------------------

def feed_or_404(feed_id: int) -> CalendarFeed:
    """A live feed the user may manage: counsellors their own, office staff every feed of
    their organisation. Others, and revoked ones, answer 404."""
    feed = db.session.get(CalendarFeed, feed_id)
    if feed is None or feed.revoked_at is not None:
        abort(404)
    if current_user.role == COUNSELLOR:
        if feed.kind != "counsellor" or feed.counsellor_id != current_user.counsellor_id:
            abort(404)
    elif feed.organisation_id != current_user.organisation_id:
        abort(404)
    return feed


def _card(title: str, counsellor: Counsellor | None, feed: CalendarFeed | None) -> dict:
    card = {"title": title, "feed": feed, "counsellor": counsellor}
    if feed is not None:
        card["urls"] = services.feed_urls(feed)
        card["form"] = PrivacyForm(formdata=None, prefix=f"feed{feed.id}",
                                   shows_client_details=feed.shows_client_details)
    return card


@bp.get("/feeds")
@roles_required(STAFF, COUNSELLOR)
def settings():
    if current_user.role == COUNSELLOR:
        counsellor = counsellor_or_404(None)
        live = services.live_feeds(counsellor.organisation_id)
        cards = [_card(_("My calendar"), counsellor, live.get(counsellor.id))]
    else:
        organisation = organisation_or_404(current_user.organisation_id)
        live = services.live_feeds(organisation.id)
        cards = [_card(_("Office calendar of %(name)s", name=organisation.short_name), None,
                       live.get(None))]
        cards += [_card(counsellor.display_name, counsellor, live.get(counsellor.id))
                  for counsellor in visible_counsellors()]
    return render_template("feeds/settings.html", cards=cards,
                           outreach_url=public_url(url_for(
                               "public_feeds.outreach_feed")))


@bp.post("/feeds/new")
@roles_required(STAFF, COUNSELLOR)
def create():
    """Counsellors make their own feed; office staff the organisation's (no ``counsellor``)
    or a counsellor's of their organisation. Another's counsellor answers 404."""
    choice = request.form.get("counsellor", "")
    if current_user.role == COUNSELLOR or choice:
        counsellor = counsellor_or_404(choice or None)
        services.create_feed("counsellor", counsellor.organisation_id, counsellor.id)
    else:
        services.create_feed("organisation", organisation_or_404(
            current_user.organisation_id).id)
    db.session.commit()
    flash(_("The feed link is ready. Add it to your calendar app as a subscription."),
          "success")
    return redirect(url_for("feeds.settings"), 303)


@bp.post("/feeds/<int:feed_id>/rotate")
@roles_required(STAFF, COUNSELLOR)
def rotate(feed_id: int):
    services.rotate_feed(feed_or_404(feed_id))
    db.session.commit()
    flash(_("The feed has a new link; the old one no longer works. Replace the subscription in "
            "your calendar app."), "success")
    return redirect(url_for("feeds.settings"), 303)


@bp.post("/feeds/<int:feed_id>/revoke")
@roles_required(STAFF, COUNSELLOR)
def revoke(feed_id: int):
    services.revoke_feed(feed_or_404(feed_id))
    db.session.commit()
    flash(_("The feed link has been switched off. Calendar apps get no more updates from it."),
          "success")
    return redirect(url_for("feeds.settings"), 303)


@bp.post("/feeds/<int:feed_id>/privacy")
@roles_required(STAFF, COUNSELLOR)
def privacy(feed_id: int):
    feed = feed_or_404(feed_id)
    form = PrivacyForm(prefix=f"feed{feed.id}")
    shown = bool(form.shows_client_details.data)
    if services.set_client_details(feed, shown):
        db.session.commit()
        if shown:
            flash(_("The feed now shows client names and contact details. Your calendar "
                    "provider stores them."), "warning")
        else:
            flash(_("The feed no longer shows client names or contact details."), "success")
    return redirect(url_for("feeds.settings"), 303)
