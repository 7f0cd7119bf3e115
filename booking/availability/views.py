"""Staff pages (skeleton: being filled in)."""

from flask import Blueprint

bp = Blueprint("hours", __name__, url_prefix="/staff")
