"""Staff pages (skeleton: being filled in)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")
