"""``flask seed-demo``: load the demo network and its past appointments (idempotent)."""

import click

from booking.demo.accounts import ADMIN_EMAIL, DEMO_PASSWORD
from booking.demo.history import seed_demo_history
from booking.demo.outreach import seed_demo_outreach
from booking.demo.seed import seed_demo
from booking.extensions import db


@click.command("seed-demo")
def seed_demo_command():
    """Create or update the demo network; safe to run again."""
    counts = seed_demo()
    history = seed_demo_history()  # past appointments for the statistics pages
    tours, interest = seed_demo_outreach()  # coming mobile advice days, people waiting
    db.session.commit()
    click.echo("demo network ready: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    click.echo(f"demo appointment history: {history.total} past appointments "
               f"({history.added} added)")
    click.echo(f"demo outreach: {tours} mobile advice days published, {interest} people "
               "registered interest")
    click.echo(f"staff sign-in at /staff/login, e.g. {ADMIN_EMAIL}, buero@vsp.example.org or "
               f"k.beispiel@vsp.example.org, password: {DEMO_PASSWORD}")
