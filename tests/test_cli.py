"""The CLI contract: users create / set-password and scheduler tick / run."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from booking.auth.services import find_user_by_email, load_user, verify_password
from booking.extensions import db

PROJECT_DIR = Path(__file__).resolve().parent.parent


def test_users_create_and_set_password(runner):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["users", "create", "--email", "Clerk@Example.org", "--role",
                                 "staff", "--organisation", "migra"],
                           env={"BOOKING_NEW_PASSWORD": "long-enough-secret"})
    assert result.exit_code == 0, result.output
    user = find_user_by_email("clerk@example.org")
    assert user.organisation_id == "migra" and user.role == "staff"
    assert verify_password(user, "long-enough-secret")
    assert user.password_hash.startswith("$argon2")
    old_session = user.get_id()

    result = runner.invoke(args=["users", "set-password", "--email", "clerk@example.org"],
                           env={"BOOKING_NEW_PASSWORD": "another-long-secret"})
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert verify_password(user, "another-long-secret")
    assert load_user(old_session) is None  # signed out everywhere
    assert load_user(user.get_id()) == user


def test_users_create_refuses_bad_input(runner):
    runner.invoke(args=["seed-demo"])
    env = {"BOOKING_NEW_PASSWORD": "long-enough-secret"}
    no_org = runner.invoke(args=["users", "create", "--email", "a@example.org", "--role",
                                 "staff"], env=env)
    assert no_org.exit_code != 0 and "organisation" in no_org.output
    unknown = runner.invoke(args=["users", "create", "--email", "a@example.org", "--role",
                                  "staff", "--organisation", "nope"], env=env)
    assert unknown.exit_code != 0 and "unknown organisation" in unknown.output
    short = runner.invoke(args=["users", "create", "--email", "a@example.org", "--role",
                                "admin"], env={"BOOKING_NEW_PASSWORD": "short"})
    assert short.exit_code != 0 and "at least" in short.output
    ok = runner.invoke(args=["users", "create", "--email", "a@example.org", "--role", "admin"],
                       env=env)
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(args=["users", "create", "--email", "A@example.org", "--role",
                                "admin"], env=env)
    assert again.exit_code != 0 and "exists" in again.output


def test_scheduler_tick_runs_and_exits(runner):
    result = runner.invoke(args=["scheduler", "tick"])
    assert result.exit_code == 0, result.output
    assert "tick done" in result.output


def test_scheduler_run_is_a_long_running_worker_that_stops_on_sigterm(database_url):
    env = {**os.environ, "DATABASE_URL": database_url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        time.sleep(3)
        assert worker.poll() is None, worker.stdout.read()
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "scheduler worker started" in output and "scheduler worker stopped" in output
