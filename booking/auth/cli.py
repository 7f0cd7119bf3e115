"""``flask users create|set-password``: manage staff accounts from the shell."""

import click
from flask.cli import AppGroup

from booking.auth import services
from booking.auth.models import ROLES
from booking.extensions import db

users_cli = AppGroup("users", help="Manage staff accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--organisation", "organisation_id", default=None,
              help="Organisation id (vsp, migra, genres); not needed for admin.")
@click.option("--name", "display_name", default="")
@click.password_option(envvar="BOOKING_NEW_PASSWORD")
def create_user_command(email, role, organisation_id, display_name, password):
    """Create a staff account."""
    try:
        user = services.create_user(email=email, password=password, role=role,
                                    organisation_id=organisation_id, display_name=display_name)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")


@users_cli.command("set-password")
@click.option("--email", required=True)
@click.password_option(envvar="BOOKING_NEW_PASSWORD")
def set_password_command(email, password):
    """Reset a password; the user's existing sessions end."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    try:
        services.set_password(user, password)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"password changed for {user.email}; existing sessions are signed out")


# The name the operations handbook uses for the same command.
users_cli.add_command(set_password_command, "reset-password")
