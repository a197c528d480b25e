"""`trainer send-reminders`: open the renewals that are due, make today's reminders, and send
every one still owed (retrying those a mail server did not take before). Run it once a day or
more often (cron, a systemd timer): a reminder is never sent twice."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from trainer import daily, mail
from trainer.pages import counted
from trainer.store import branding, reminders


@dataclass
class Summary:
    opened: int = 0  # renewal rounds opened
    made: int = 0  # reminders made today
    sent: int = 0
    dropped: list[str] = field(default_factory=list)  # "key: why"
    failed: list[str] = field(default_factory=list)  # "email (key): error"

    def lines(self) -> list[str]:
        found = [f"{counted(self.made, 'reminder')} made, {self.sent} sent, "
                 f"{len(self.failed)} not sent, {len(self.dropped)} no longer needed; "
                 f"{counted(self.opened, 'renewal')} opened."]
        found += [f"not sent, will be retried on the next run: {line}" for line in self.failed]
        found += [f"dropped: {line}" for line in self.dropped]
        return found


def run(today: date) -> Summary:
    """Everything owed today; the caller says whether mail is configured (settings())."""
    config = current_app.config
    server, mail_from = settings()
    summary = Summary(opened=daily.open_renewals(today))
    summary.made = reminders.plan(today, config["REMIND_DAYS_BEFORE"], config["DIGEST_WEEKDAY"])
    with current_app.test_request_context(base_url=config["BASE_URL"]), \
            mail.Connection(server, mail_from) as connection:
        for row in reminders.pending():
            said = reminders.what_to_say(row, today)
            if isinstance(said, str):
                reminders.dropped(row, said)
                summary.dropped.append(f"{row.key}: {said}")
                continue
            if not reminders.claim(row):
                continue  # another run is sending it
            try:
                connection.send(message(said, today, row.key))
            except mail.SendError as error:
                reminders.failed(row, str(error))
                summary.failed.append(f"{row_email(said)} ({row.key}): {error}")
            else:
                reminders.sent(row)
                summary.sent += 1
    return summary


def settings() -> tuple[mail.Server, str]:
    """The mail server and sender from the config; MailSettingError when unusable, and
    LookupError when mail is not configured at all."""
    config = current_app.config
    if not config["SMTP_URL"]:
        raise LookupError("TRAINER_SMTP_URL is not set")
    if not config["MAIL_FROM"]:
        raise mail.MailSettingError("TRAINER_MAIL_FROM is not set: mail needs a sender")
    return mail.Server.from_url(config["SMTP_URL"]), mail.sender(config["MAIL_FROM"])


def row_email(said) -> str:
    return (said.manager if isinstance(said, reminders.Digest) else said.person).email


def message(said: reminders.Reminder | reminders.Digest, today: date,
            key: str = "") -> mail.Message:
    """The reminder as plain text and HTML, from templates/mail/, in the recipient's own
    language (or the organisation's default)."""
    person = said.manager if isinstance(said, reminders.Digest) else said.person
    with force_locale(person.language or current_app.config["DEFAULT_LANGUAGE"]):
        return _message(said, today, key)


def _message(said: reminders.Reminder | reminders.Digest, today: date,
             key: str = "") -> mail.Message:
    brand = branding.current()
    if isinstance(said, reminders.Digest):
        name, person = "digest", said.manager
        subject = ngettext("Overdue training in your teams: %(num)d assignment",
                           "Overdue training in your teams: %(num)d assignments", said.count)
    else:
        name, person, title = "reminder", said.person, said.module.title
        due = said.assignment.due_date.isoformat()
        if said.assignment.renewal:
            if said.assignment.due_date < today:
                subject = _("Overdue: Renewal of %(title)s (was due %(date)s)", title=title,
                            date=due)
            elif said.days == 0:
                subject = _("Due today: Renewal of %(title)s", title=title)
            else:
                subject = ngettext("Due in %(num)d day: Renewal of %(title)s",
                                   "Due in %(num)d days: Renewal of %(title)s", said.days,
                                   title=title)
        elif said.assignment.due_date < today:
            subject = _("Overdue: %(title)s (was due %(date)s)", title=title, date=due)
        elif said.days == 0:
            subject = _("Due today: %(title)s", title=title)
        else:
            subject = ngettext("Due in %(num)d day: %(title)s", "Due in %(num)d days: %(title)s",
                               said.days, title=title)
    context = {"said": said, "today": today, "brand": brand, "subject": subject}
    return mail.Message(person.name, person.email, subject,
                        render_template(f"mail/{name}.txt", **context),
                        render_template(f"mail/{name}.html", **context), key)
