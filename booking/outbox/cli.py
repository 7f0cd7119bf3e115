"""``flask outbox status|retry``: see what waits or failed, and send failed messages again."""

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from booking.extensions import db
from booking.outbox.models import OutboxMessage
from booking.outbox.services import requeue

outbox_cli = AppGroup("outbox", help="Inspect and retry outgoing messages.")


@outbox_cli.command("status")
def status_command():
    """Messages per status, and the failed ones with their last error."""
    counts = db.session.execute(select(OutboxMessage.status, func.count())
                                .group_by(OutboxMessage.status)).all()
    click.echo(", ".join(f"{status}: {n}" for status, n in sorted(counts)) or "empty")
    for message in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.status == "failed").order_by(OutboxMessage.id)):
        click.echo(f"failed #{message.id} {message.topic} after {message.attempts} attempts: "
                   f"{message.last_error}")


@outbox_cli.command("retry")
@click.argument("message_ids", nargs=-1, type=int)
def retry_command(message_ids):
    """Send failed messages again (all failed ones when no id is given)."""
    query = select(OutboxMessage).where(OutboxMessage.status == "failed")
    if message_ids:
        query = query.where(OutboxMessage.id.in_(message_ids))
    count = requeue(db.session.scalars(query).all())
    db.session.commit()
    click.echo(f"{count} message(s) queued again")
