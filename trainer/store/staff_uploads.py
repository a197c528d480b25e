"""A staff file waiting between its preview and its confirmation: kept in the database
(StaffUpload) for the person who uploaded it, an hour at most, so that the confirm form sends
back only a token, not the file (which could outgrow the request limit)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, insert

from trainer.extensions import db
from trainer.models import StaffUpload, User, utcnow
from trainer.store.staff_import import Plan, read_file

UPLOAD_MAX_AGE = timedelta(hours=1)


@dataclass(frozen=True)
class Kept:
    raw: bytes
    created_at: datetime

    @property
    def expired(self) -> bool:
        return utcnow() - self.created_at > UPLOAD_MAX_AGE


def preview(raw: bytes, by: User) -> tuple[Plan, str | None]:
    """Check an uploaded file for `by`; a good one is kept for them to confirm: its token."""
    plan = read_file(raw, by)
    return plan, keep(raw, by) if plan.ok else None


def keep(raw: bytes, by: User) -> str:
    """Keep a file for `by` to confirm, and the token that names it. A person has one file
    waiting at most, no larger than a request may be, and none waits past UPLOAD_MAX_AGE."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and len(raw) > limit:
        raise ValueError(f"a staff file of {len(raw)} bytes is over the limit of {limit}")
    db.session.execute(delete(StaffUpload).where(
        (StaffUpload.user_id == by.id) | (StaffUpload.created_at < utcnow() - UPLOAD_MAX_AGE)))
    token = secrets.token_urlsafe(32)
    db.session.execute(insert(StaffUpload).values(token=token, user_id=by.id, raw=raw))
    db.session.commit()
    return token


def take(token: str, by: User) -> Kept | None:
    """The file `by` kept under `token`, no longer kept (a file is confirmed once); None when
    they have none under it: imported already, or someone else's."""
    found = db.session.execute(
        delete(StaffUpload).where(StaffUpload.token == token, StaffUpload.user_id == by.id)
        .returning(StaffUpload.raw, StaffUpload.created_at)
        .execution_options(synchronize_session=False)).first()
    db.session.commit()
    return Kept(*found) if found is not None else None
