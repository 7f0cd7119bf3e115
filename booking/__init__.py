"""The IQ MV booking and outreach service: ``create_app`` builds the Flask application."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(config_class: type | None = None) -> Flask:
    """Build the application; nothing runs at import time."""
    if config_class is None:
        from config import Config

        config_class = Config

    app = Flask(
        __name__,
        template_folder=str(PROJECT_DIR / "templates"),
        instance_path=str(PROJECT_DIR / "instance"),
        instance_relative_config=False,
    )
    app.config.from_object(config_class)
    _check_config(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _check_config(app: Flask) -> None:
    """Refuse to start with settings that would only fail later, in the middle of a job."""
    from booking.domain.reminders import parse_leads

    try:
        parse_leads(app.config["BOOKING_REMINDER_LEADS"])
    except ValueError as error:
        raise RuntimeError(f"BOOKING_REMINDER_LEADS: {error}") from error


def _init_extensions(app: Flask) -> None:
    from booking import i18n
    from booking.database import init_database_events
    from booking.db_types import render_migration_item
    from booking.extensions import babel, csrf, db, limiter, login_manager, migrate

    import_models()
    init_database_events()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"), render_as_batch=True,
                     compare_type=True, render_item=render_migration_item)
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)

    from booking.auth.services import load_user
    from booking.staff.views import init_app as init_staff

    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the sign-in page explains itself
    # A session copied to another browser or network stops working (Flask-Login "strong").
    login_manager.session_protection = "strong"
    init_staff(app)
    # E-mail renderers register themselves with the outbox when imported.
    from booking.appointments import notifications as _notifications  # noqa: F401
    from booking.demand import notifications as _demand_notifications  # noqa: F401
    from booking.tours import notifications as _tours_notifications  # noqa: F401
    from booking.waitlist import notifications as _waitlist_notifications  # noqa: F401


def import_models() -> None:
    """Import every feature's models so the metadata (and Alembic) sees all tables."""
    from booking.appointments import models as _appointments  # noqa: F401
    from booking.audit import models as _audit  # noqa: F401
    from booking.auth import models as _auth  # noqa: F401
    from booking.availability import models as _availability  # noqa: F401
    from booking.calendarsync import models as _calendarsync  # noqa: F401
    from booking.catalogue import models as _catalogue  # noqa: F401
    from booking.counsellors import models as _counsellors  # noqa: F401
    from booking.demand import models as _demand  # noqa: F401
    from booking.feeds import models as _feeds  # noqa: F401
    from booking.network import models as _network  # noqa: F401
    from booking.outbox import models as _outbox  # noqa: F401
    from booking.tours import models as _tours  # noqa: F401
    from booking.waitlist import models as _waitlist  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from booking.database import RecordIdConverter

    app.url_map.converters["int"] = RecordIdConverter  # before any rule is added
    from booking.api import bookings as _bookings_api  # noqa: F401 - routes on the api blueprint
    from booking.api.views import bp as api_bp
    from booking.appointments.manage import bp as manage_bp
    from booking.appointments.views import bp as booking_bp
    from booking.core.errors import register_error_handlers
    from booking.core.views import bp as core_bp
    from booking.demand.views import bp as demand_bp
    from booking.extensions import csrf
    from booking.feeds.views import public_bp as feeds_public_bp
    from booking.waitlist.views import bp as waitlist_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(feeds_public_bp)  # GET only: nothing for CSRF to protect
    app.register_blueprint(booking_bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(demand_bp)
    app.register_blueprint(waitlist_bp)
    for staff_bp in _staff_blueprints():
        app.register_blueprint(staff_bp)
    csrf.exempt(api_bp)  # JSON API: no cookies, no forms; abuse is handled by rate limits
    app.register_blueprint(api_bp)
    register_error_handlers(app)


def _staff_blueprints() -> list:
    from booking.admin.views import bp as admin_bp
    from booking.agenda.views import bp as agenda_bp
    from booking.auth.views import bp as auth_bp
    from booking.availability.views import bp as hours_bp
    from booking.calendarsync.views import bp as calsync_bp
    from booking.demand.views import staff_bp as demand_staff_bp
    from booking.desk.views import bp as desk_bp
    from booking.feeds.views import bp as feeds_bp
    from booking.reports.views import bp as reports_bp
    from booking.staff.views import bp as staff_bp
    from booking.tours.views import bp as tours_bp
    from booking.waitlist.views import staff_bp as waitlist_staff_bp

    return [auth_bp, staff_bp, agenda_bp, hours_bp, desk_bp, reports_bp, admin_bp, calsync_bp,
            feeds_bp, demand_staff_bp, waitlist_staff_bp, tours_bp]


def _register_cli(app: Flask) -> None:
    from booking.auth.cli import users_cli
    from booking.demo.cli import seed_demo_command
    from booking.outbox.cli import outbox_cli
    from booking.scheduler.cli import scheduler_cli

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(outbox_cli)
