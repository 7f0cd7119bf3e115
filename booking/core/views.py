"""The home page and the health check."""

from flask import Blueprint, jsonify, render_template
from sqlalchemy import select, text
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.network.models import Location

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    offices = db.session.scalars(
        select(Location)
        .where(Location.kind == "office", Location.is_active)
        .options(joinedload(Location.organisation))
        .order_by(Location.town)
    ).all()
    return render_template("core/home.html", offices=offices)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")
