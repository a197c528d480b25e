"""Reminders through a real SMTP server on loopback (aiosmtpd): a month of a team driven day by
day, a server that refuses mail for a day and one that is down, and the command itself."""
from __future__ import annotations

import email
import email.policy
import socket
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from conftest import make_app, make_org, run_cli
from probes import pass_module
from small_content import write_content

from trainer import reminders
from trainer.extensions import db
from trainer.models import SentMail, User
from trainer.store import assignments, content, org


class Mailbox:
    """An aiosmtpd handler that keeps every message, or refuses them while `refuse` is set."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = ""

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """A real SMTP server on loopback that can be stopped and started again on its port."""

    def __init__(self, **options):
        self.mailbox, self.port, self.options = Mailbox(), free_port(), options
        self.controller: Controller | None = None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port,
                                     **self.options)
        self.controller.start()

    def stop(self):
        self.controller.stop()
        self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    if server.controller is not None:
        server.stop()


MONDAY = date(2027, 3, 1)  # a Monday: the digest's weekday below
assert MONDAY.weekday() == 0


def received(mailbox: Mailbox) -> list[tuple[str, str]]:
    return [(m["To"].addresses[0].username, m["X-Trainer-Reminder"].split(":")[0])
            for m in mailbox.messages]


def test_a_month_of_a_team_gets_each_reminder_once_and_none_after_completion(tmp_path, smtp):
    app = make_app(tmp_path, SCENARIOS_DIR=str(write_content(tmp_path / "scenarios")),
                   SMTP_URL=smtp.url, MAIL_FROM="Training <training@example.com>",
                   BASE_URL="https://training.example.com", REMIND_DAYS_BEFORE=3,
                   DIGEST_WEEKDAY=0)
    people = make_org(app)
    ids = people.ids
    day = lambda n: MONDAY + timedelta(days=n)  # noqa: E731
    with app.app_context():
        onboarding, queues = content.module("onboarding"), content.module("queues")
        person = lambda short: db.session.get(User, ids[short])  # noqa: E731
        assignments.assign(onboarding, [person("ann")], day(9), None)
        assignments.assign(onboarding, [person("bob")], day(4), None)
        assignments.assign(onboarding, [person("cat")], day(12), None)
        assignments.assign(queues, [person("mia")], day(20), None)

    arrived: dict[int, list[tuple[str, str]]] = {}
    failed_days = []
    for n in range(31):
        today = day(n)
        before = len(smtp.mailbox.messages)
        with app.app_context():
            if n == 2:
                org.deactivate(person("cat"))  # nothing is sent to someone who has left
            if n == 7:
                pass_module(ids["ann"], "onboarding")  # before her due date
                smtp.mailbox.refuse = "451 4.3.0 Mailbox busy, try again later"
            if n == 8:
                smtp.mailbox.refuse = ""
            if n == 16:
                pass_module(ids["bob"], "onboarding")  # late
            if n == 17:
                smtp.stop()
            if n == 18:
                smtp.start()
            summary = reminders.run(today)
        if summary.failed:
            failed_days.append(n)
        arrived[n] = received(smtp.mailbox)[before:]

    assert {n: mails for n, mails in arrived.items() if mails} == {
        1: [("bob", "due-soon")],
        5: [("bob", "overdue")],
        6: [("ann", "due-soon")],
        8: [("max", "digest")],  # refused on day 7, taken on day 8, in the same week
        14: [("max", "digest")],  # Bob is still late on the third Monday; not after day 16
        18: [("mia", "due-soon")],  # the server was down on day 17
        21: [("mia", "overdue"), ("mia", "digest")],  # Mia manages her own team
        28: [("mia", "digest")],
    }
    assert failed_days == [7, 17]
    keys = [m["X-Trainer-Reminder"] for m in smtp.mailbox.messages]
    assert len(keys) == len(set(keys)), "a reminder arrived twice"
    with app.app_context():
        assert db.session.query(SentMail).filter_by(status=SentMail.PENDING).count() == 0


def test_a_reminder_says_what_is_due_and_links_to_it(tmp_path, smtp):
    app = make_app(tmp_path, SCENARIOS_DIR=str(write_content(tmp_path / "scenarios")),
                   SMTP_URL=smtp.url, MAIL_FROM="training@example.com",
                   BASE_URL="https://training.example.com")
    people = make_org(app)
    with app.app_context():
        ann = db.session.get(User, people.ids["ann"])
        assignments.assign(content.module("onboarding"), [ann], MONDAY + timedelta(days=2),
                           None)
        reminders.run(MONDAY)
    [message] = smtp.mailbox.messages
    assert message["Subject"] == "Due in 2 days: Onboarding for tests"
    assert message["From"] == "training@example.com"
    assert str(message["To"]) == "Ann Employee <ann@example.com>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = "https://training.example.com/#module-onboarding"
    assert link in text and f'href="{link}"' in html
    assert "passed 0 of 2 scenarios" in text
    assert "Onboarding for tests" in html


def test_a_server_that_asks_for_a_password_gets_the_quoted_one(tmp_path):
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"p@ss:word")

    server = SmtpServer(authenticator=authenticator, auth_require_tls=False)
    server.start()
    try:
        app = make_app(tmp_path, SCENARIOS_DIR=str(write_content(tmp_path / "scenarios")),
                       SMTP_URL=f"smtp://mailer:p%40ss%3Aword@127.0.0.1:{server.port}",
                       MAIL_FROM="training@example.com")
        people = make_org(app)
        with app.app_context():
            assignments.assign(content.module("onboarding"),
                               [db.session.get(User, people.ids["ann"])], MONDAY, None)
            summary = reminders.run(MONDAY)
        assert summary.sent == 1 and not summary.failed
        assert seen == [(b"mailer", b"p@ss:word")]
    finally:
        server.stop()


def cli_env(monkeypatch, app, tmp_path, **settings):
    monkeypatch.setenv("TRAINER_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("TRAINER_SCENARIOS_DIR", app.config["SCENARIOS_DIR"])
    monkeypatch.setenv("TRAINER_SECRET_KEY", "test")
    for name in ("TRAINER_SMTP_URL", "TRAINER_MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)


def test_the_command_sends_reports_and_exits_1_while_mail_is_refused(tmp_path, smtp,
                                                                     monkeypatch):
    app = make_app(tmp_path, SCENARIOS_DIR=str(write_content(tmp_path / "scenarios")))
    people = make_org(app)
    with app.app_context():
        assignments.assign(content.module("onboarding"),
                           [db.session.get(User, people.ids["ann"])], MONDAY, None)
    cli_env(monkeypatch, app, tmp_path, TRAINER_SMTP_URL=smtp.url,
            TRAINER_MAIL_FROM="training@example.com")
    smtp.mailbox.refuse = "550 5.1.1 No such mailbox"
    result = run_cli("send-reminders", "--today", MONDAY.isoformat())
    assert result.returncode == 1
    assert "1 reminder made, 0 sent, 1 not sent" in result.stdout
    assert "ann@example.com (due-soon:" in result.stdout and "550 5.1.1 No such mailbox" \
        in result.stdout
    smtp.mailbox.refuse = ""
    again = run_cli("send-reminders", "--today", MONDAY.isoformat())
    assert again.returncode == 0
    assert "0 reminders made, 1 sent, 0 not sent" in again.stdout
    third = run_cli("send-reminders", "--today", MONDAY.isoformat())
    assert "0 reminders made, 0 sent" in third.stdout
    assert len(smtp.mailbox.messages) == 1


def test_without_mail_settings_nothing_is_made_and_bad_settings_are_named(tmp_path,
                                                                           monkeypatch):
    app = make_app(tmp_path, SCENARIOS_DIR=str(write_content(tmp_path / "scenarios")))
    people = make_org(app)
    with app.app_context():
        assignments.assign(content.module("onboarding"),
                           [db.session.get(User, people.ids["ann"])], MONDAY, None)
    cli_env(monkeypatch, app, tmp_path)
    off = run_cli("send-reminders", "--today", MONDAY.isoformat())
    assert off.returncode == 0 and "Mail is off (TRAINER_SMTP_URL is not set)" in off.stdout
    with app.app_context():
        assert db.session.query(SentMail).count() == 0
    cli_env(monkeypatch, app, tmp_path, TRAINER_SMTP_URL="mail.example.com:25",
            TRAINER_MAIL_FROM="training@example.com")
    bad = run_cli("send-reminders")
    assert bad.returncode == 2 and "TRAINER_SMTP_URL must start with smtp://" in bad.stderr
    cli_env(monkeypatch, app, tmp_path, TRAINER_SMTP_URL="smtp://127.0.0.1:1")
    no_sender = run_cli("send-reminders")
    assert no_sender.returncode == 2 and "TRAINER_MAIL_FROM is not set" in no_sender.stderr


def test_a_renewal_is_reminded_like_any_due_date(tmp_path, smtp):
    from trainer.engine.modules import add_months
    from trainer.models import Completion

    folder = write_content(tmp_path / "scenarios")
    modules = folder / "modules.yaml"
    modules.write_text(modules.read_text("utf-8").replace(
        "- id: onboarding\n", "- id: onboarding\n  renew_after_months: 12\n", 1), "utf-8")
    app = make_app(tmp_path, SCENARIOS_DIR=str(folder), SMTP_URL=smtp.url,
                   MAIL_FROM="training@example.com", REMIND_DAYS_BEFORE=3)
    people = make_org(app)
    with app.app_context():
        ann = db.session.get(User, people.ids["ann"])
        assignments.assign(content.module("onboarding"), [ann], MONDAY, None)
        pass_module(ann.id, "onboarding")
        completed_on = db.session.scalar(db.select(Completion.completed_at)).date()
        runs_out = add_months(completed_on, 12)
        for day in (runs_out - timedelta(days=31), runs_out - timedelta(days=30),
                    runs_out - timedelta(days=3), runs_out + timedelta(days=1)):
            reminders.run(day)
    assert [m["Subject"] for m in smtp.mailbox.messages
            if m["To"].addresses[0].username == "ann"] == [
        "Due in 3 days: Renewal of Onboarding for tests",
        f"Overdue: Renewal of Onboarding for tests (was due {runs_out.isoformat()})"]
    text = smtp.mailbox.messages[0].get_body(("plain",)).get_content()
    assert "Your earlier completion runs out on that date" in text
