"""Who may open what: one rule per route (which people and teams a viewer may see is the
store's to say: trainer/store/teams.py).

Every endpoint of the app must have a rule in RULES; a route without one is refused (and the
access test fails), so a new page cannot be left open by forgetting a check.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, request
from flask_login import current_user

from trainer.models import ADMIN, AUTHOR, HR, MANAGER


@dataclass(frozen=True)
class Rule:
    """Who may open a route: anyone, or a signed-in person holding one of `roles`."""

    signed_in: bool
    roles: frozenset[str] = frozenset()  # empty: any signed-in person

    def allows(self, user) -> bool:
        if not self.signed_in:
            return True
        if not user.is_authenticated:
            return False
        return not self.roles or bool(self.roles & user.roles)


PUBLIC = Rule(signed_in=False)
SIGNED_IN = Rule(signed_in=True)
LEADS = Rule(True, frozenset({MANAGER, HR, ADMIN}))  # see teams: their own, or all
HR_OR_ADMIN = Rule(True, frozenset({HR, ADMIN}))
ADMINS = Rule(True, frozenset({ADMIN}))
AUTHORS = Rule(True, frozenset({AUTHOR, ADMIN}))  # the workbench: drafts, maps, publishing

# Data that belongs to someone (an attempt, a person, a team) is checked again by the store
# functions against the viewer; these rules decide only who may open the page at all.
RULES: dict[str, Rule] = {
    "static": PUBLIC,
    "health.check": PUBLIC,
    "brand.logo": PUBLIC,  # the login page shows it too
    "brand.style": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.password": SIGNED_IN,
    "auth.language": SIGNED_IN,
    "training.home": SIGNED_IN,
    "play.scenarios": SIGNED_IN,
    "play.scenario": SIGNED_IN,
    "play.start": SIGNED_IN,
    "play.attempt": SIGNED_IN,
    "play.choose": SIGNED_IN,
    "manage.teams": LEADS,
    "manage.team": LEADS,
    "manage.matrix_export": LEADS,
    "manage.person": LEADS,
    "manage.person_attempt": LEADS,
    "manage.choices": LEADS,
    "manage.assign": LEADS,
    "reports.completion": HR_OR_ADMIN,
    "reports.export": HR_OR_ADMIN,
    "admin.users": ADMINS,
    "admin.user": ADMINS,
    "admin.create_user": ADMINS,
    "admin.create_team": ADMINS,
    "admin.deactivate": ADMINS,
    "admin.reactivate": ADMINS,
    "admin.reset_password": ADMINS,
    "admin.import_staff": HR_OR_ADMIN,
    "admin.branding_page": ADMINS,
    # A certificate is its learner's, or a lead's who may follow them (checked in the view);
    # its verification page is open to anyone holding the link's secret token.
    "certificates.certificate": SIGNED_IN,
    "certificates.verify": PUBLIC,
    "author.index": AUTHORS,
    "author.new_draft": AUTHORS,
    "author.draft": AUTHORS,
    "author.save_draft": AUTHORS,
    "author.publish": AUTHORS,
    "author.delete_draft": AUTHORS,
    "author.draft_map": AUTHORS,
    "author.scenario": AUTHORS,
    "author.edit": AUTHORS,
    "author.roll_back": AUTHORS,
    "author.withdraw": AUTHORS,
    "author.edit_version": AUTHORS,
    "author.version_diff": AUTHORS,
    "author.map": AUTHORS,
    "author.choices": AUTHORS,
    "author.preview": AUTHORS,
    "author.preview_move": AUTHORS,
}


def check_request() -> None:
    """Run before every request: refuse what the route's rule does not allow."""
    if request.endpoint is None:  # no such route: Flask answers 404 itself
        return
    rule = RULES.get(request.endpoint)
    if rule is None:
        abort(403, "This page has no access rule, so it is closed.")
    if rule.allows(current_user):
        return
    if not current_user.is_authenticated:
        from trainer.extensions import login_manager

        abort(login_manager.unauthorized())
    abort(403, "Your account does not give you access to this page.")


def can_open(endpoint: str) -> bool:
    """For templates: whether to show a link to a page to the current person."""
    rule = RULES.get(endpoint)
    return rule is not None and rule.allows(current_user)
