"""``flask scheduler run`` (long-running worker) and ``flask scheduler tick`` (one round)."""

from __future__ import annotations

import signal

import click
from flask import current_app
from flask.cli import AppGroup

from booking.extensions import db
from booking.scheduler.registry import PeriodicJob, all_jobs

scheduler_cli = AppGroup("scheduler", help="Run the background worker.")


def run_job(app, job: PeriodicJob) -> object:
    """Run one job in its own app context and commit once, rolling back on failure."""
    with app.app_context():
        try:
            result = job.func()
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            app.logger.exception("job %s failed", job.name)
            raise
        finally:
            db.session.remove()


@scheduler_cli.command("tick")
def tick_command():
    """Run every job once, then exit (for cron and tests)."""
    app = current_app._get_current_object()
    failures = 0
    for job in all_jobs():
        try:
            result = run_job(app, job)
            click.echo(f"{job.name}: {result}")
        except Exception as error:  # noqa: BLE001 - report and go on with the other jobs
            failures += 1
            click.echo(f"{job.name}: failed: {error}", err=True)
    click.echo(f"tick done: {len(all_jobs())} job(s), {failures} failed")
    if failures:
        raise SystemExit(1)


@scheduler_cli.command("run")
def run_command():
    """Run the worker until stopped (SIGINT or SIGTERM)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    app = current_app._get_current_object()
    scheduler = BlockingScheduler(timezone="UTC")
    for job in all_jobs():
        scheduler.add_job(
            run_job, "interval", args=(app, job), seconds=job.seconds, id=job.name,
            max_instances=1, coalesce=True, misfire_grace_time=job.seconds,
        )

    def stop(signum, frame):
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    click.echo(f"scheduler worker started with {len(all_jobs())} job(s); Ctrl+C stops it")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    click.echo("scheduler worker stopped")
