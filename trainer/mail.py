"""Sending mail through the organisation's SMTP server, with Python's smtplib and email
packages (no wrapper library: Flask-Mail adds little over them and is barely kept up).

TRAINER_SMTP_URL says where and how:
    smtp://host:25                      plain SMTP (a relay on the same machine or network)
    smtp+starttls://user:pass@host:587  STARTTLS, then sign in (user and password URL-quoted)
    smtps://user:pass@host:465          TLS from the first byte
Unset, no mail is sent at all.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtp": (25, False, False), "smtp+starttls": (587, True, False),
           "smtps": (465, False, True)}  # scheme -> default port, STARTTLS, TLS at once
TIMEOUT = 30  # seconds to wait for the server at each step


class MailSettingError(ValueError):
    """TRAINER_SMTP_URL or TRAINER_MAIL_FROM cannot be used; the message says why."""


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    starttls: bool
    tls: bool
    user: str
    password: str

    @classmethod
    def from_url(cls, url: str) -> Server:
        parts = urlsplit(url.strip())
        if parts.scheme not in SCHEMES:
            raise MailSettingError(
                f"TRAINER_SMTP_URL must start with {', '.join(s + '://' for s in SCHEMES)}; "
                f"got {parts.scheme or 'no scheme'}")
        try:
            port = parts.port
        except ValueError:
            raise MailSettingError("TRAINER_SMTP_URL has a port that is not a number") from None
        if not parts.hostname:
            raise MailSettingError("TRAINER_SMTP_URL names no host")
        default_port, starttls, tls = SCHEMES[parts.scheme]
        return cls(parts.hostname, port or default_port, starttls, tls,
                   unquote(parts.username or ""), unquote(parts.password or ""))


@dataclass(frozen=True)
class Message:
    to_name: str
    to_email: str
    subject: str
    text: str
    html: str
    key: str = ""  # the reminder's key, in an X-Trainer-Reminder header for the mail logs


def sender(mail_from: str) -> str:
    """TRAINER_MAIL_FROM checked: an address, or a name and an address."""
    value = mail_from.strip()
    if "@" not in value or "\n" in value or "\r" in value:
        raise MailSettingError("TRAINER_MAIL_FROM must be an address such as "
                               "'Service trainer <training@example.com>'")
    return value


def build(message: Message, mail_from: str) -> EmailMessage:
    """Plain text first, HTML as the alternative mail programs prefer."""
    email = EmailMessage()
    email["From"] = mail_from
    email["To"] = Address(message.to_name, addr_spec=message.to_email)
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=mail_from.rsplit("@", 1)[1].strip(" >"))
    email["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to reminders
    if message.key:
        email["X-Trainer-Reminder"] = message.key
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


class Connection:
    """One session with the server for a run: opened on first use, each message sent on its
    own, so one refused recipient does not stop the rest."""

    def __init__(self, server: Server, mail_from: str):
        self.server, self.mail_from = server, mail_from
        self.smtp: smtplib.SMTP | None = None
        self.unreachable = ""  # why the server could not be reached: not tried again

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()

    def _open(self) -> smtplib.SMTP:
        server, context = self.server, ssl.create_default_context()
        if server.tls:
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
            if server.starttls:
                smtp.starttls(context=context)
        if server.user:
            smtp.login(server.user, server.password)
        return smtp

    def send(self, message: Message) -> None:
        """Hand one message to the server; raises SendError saying why it was not taken."""
        if self.unreachable:
            raise SendError(self.unreachable)
        if self.smtp is None:
            try:
                self.smtp = self._open()
            except smtplib.SMTPResponseException as exc:
                self.unreachable = f"{exc.smtp_code} {_text(exc.smtp_error)}"
                raise SendError(self.unreachable) from None
            except (smtplib.SMTPException, OSError) as exc:
                self.unreachable = f"cannot reach {self.server.host}:{self.server.port}: " \
                    f"{type(exc).__name__}: {exc}"
                raise SendError(self.unreachable) from None
        try:
            self.smtp.send_message(build(message, self.mail_from))
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()))
            raise SendError(f"{code} {_text(reason)}") from None
        except smtplib.SMTPResponseException as exc:  # refused: the session goes on
            raise SendError(f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.smtp = None  # the session broke: the next message opens a new one
            raise SendError(f"{type(exc).__name__}: {exc}") from None


class SendError(Exception):
    """The server did not take a message: the reason, as it gave it."""


def _text(reason) -> str:
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
