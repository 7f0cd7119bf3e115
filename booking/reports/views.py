"""Staff pages (skeleton: being filled in)."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/staff/statistics")
