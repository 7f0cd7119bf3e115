"""Error pages: JSON bodies under /api/, translated HTML pages elsewhere; never a bare 500."""

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from booking.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/feeds/")


def _json_message(code: int | None) -> str:
    """Werkzeug's descriptions are English only; API clients get the reader's language."""
    if code == 404:
        return _("The address may be mistyped, or the page no longer exists.")
    if code == 429:
        return _("Please wait a moment and try again.")
    return _("The request could not be processed")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _wants_json():
            body = {"error": (error.name or "error").lower().replace(" ", "_"),
                    "message": _json_message(error.code)}
            return jsonify(body), error.code
        return render_template("errors/error.html", error=error), error.code

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _("The form was open for too long or came from another page. Please go back, "
                    "reload the page and send the form again.")
        return render_template("errors/error.html", error=error, message=message), 400

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error")
        db.session.rollback()
        message = _("Something went wrong on our side. Please try again in a few minutes.")
        if _wants_json():
            return jsonify(error="internal", message=message), 500
        return render_template("errors/error.html", error=None, message=message), 500
