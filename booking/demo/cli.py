"""``flask seed-demo``: load the demo network (idempotent)."""

import click

from booking.demo.seed import seed_demo
from booking.extensions import db


@click.command("seed-demo")
def seed_demo_command():
    """Create or update the demo network; safe to run again."""
    counts = seed_demo()
    db.session.commit()
    click.echo("demo network ready: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
