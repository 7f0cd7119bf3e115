"""Error pages: JSON bodies under /api/, translated HTML pages elsewhere; never a bare 500."""

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from booking.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/feeds/")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _wants_json():
            body = {"error": (error.name or "error").lower().replace(" ", "_"),
                    "message": error.description}
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
