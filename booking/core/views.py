"""The home page, the language switch, the privacy notice and the health check."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select, text
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.i18n import LANGUAGE_COOKIE
from booking.network.models import Location, Organisation

bp = Blueprint("core", __name__)
ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
def home():
    offices = db.session.scalars(
        select(Location)
        .where(Location.kind == "office", Location.is_active)
        .options(joinedload(Location.organisation))
        .order_by(Location.town)
    ).all()
    return render_template("core/home.html", offices=offices)


def safe_next(target: str | None, fallback: str | None = None) -> str:
    """Only local paths: a ``next`` parameter must not become an open redirect."""
    fallback = fallback or url_for("core.home")
    if not target:
        return fallback
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target):
        return fallback
    return target


@bp.get("/language")
def language():
    return render_template("booking/language.html",
                           next_url=safe_next(request.args.get("next")))


@bp.get("/language/<code>")
def set_language(code: str):
    response = redirect(safe_next(request.args.get("next")), code=303)
    if code in current_app.config["UI_LANGUAGES"]:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=ONE_YEAR, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    return response


@bp.get("/privacy")
def privacy():
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template("core/privacy.html", organisations=organisations)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")
