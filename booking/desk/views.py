"""Staff pages (skeleton: being filled in)."""

from flask import Blueprint

bp = Blueprint("desk", __name__, url_prefix="/staff/desk")
