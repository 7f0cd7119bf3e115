"""Staff pages (skeleton: being filled in)."""

from flask import Blueprint

bp = Blueprint("agenda", __name__, url_prefix="/staff")
