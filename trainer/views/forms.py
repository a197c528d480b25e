"""The web forms (Flask-WTF: CSRF-protected, validated) that more than one page uses."""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    ValidationError,
)

from trainer.engine.library import MAX_SCENARIO_BYTES
from trainer.models import ROLES
from trainer.store.org import MIN_PASSWORD

# A form that was read and refused (its fields say why): 422, not 400, which browsers log as a
# failed resource. A request that cannot be read at all (no CSRF token, garbage) stays 400.
REFUSED = 422


def options(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """(value, label) pairs as the options of a select or checkbox list."""
    return [SelectChoice(value, label) for value, label in pairs]


class LoginForm(FlaskForm):
    email = EmailField(_l("Work email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"),
                        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)])
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(),
                                        EqualTo("new", _l("The two do not match."))])


class ResetPasswordForm(FlaskForm):
    new = PasswordField(_l("New password"),
                        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)])


class RoleField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def at_least_one(message: str):
    """A checkbox list with nothing ticked is refused (DataRequired would also mark every box
    `required`, asking for all of them to be ticked)."""
    def check(_form, field) -> None:
        if not field.data:
            raise ValidationError(message)
    return check


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(),
                                                Email(check_deliverability=False),
                                                Length(max=254)])
    team = SelectField(_l("Team"), coerce=int, validators=[Optional()])
    roles = RoleField(_l("Roles"), choices=options((r, r) for r in ROLES), default=["employee"],
                      validators=[at_least_one(_l("Give them at least one role: without one "
                                                  "they can open nothing."))])
    manages = RoleField(_l("Manages these teams"), coerce=int, validators=[Optional()])
    password = PasswordField(_l("Password (optional: without one they cannot sign in yet)"),
                             validators=[Optional(), Length(min=MIN_PASSWORD, max=200)])


class TeamForm(FlaskForm):
    department = StringField(_l("Department"), validators=[DataRequired(), Length(max=120)])
    team = StringField(_l("Team"), validators=[DataRequired(), Length(max=120)])


class AssignForm(FlaskForm):
    module = SelectField(_l("Module"), validators=[DataRequired()])
    target = SelectField(_l("Assign to"), validators=[DataRequired()])
    due = DateField(_l("Due date"), validators=[DataRequired()])
    move_due = BooleanField(_l("Also move the due date of people who already have this module"))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file from the HR system"),
                     validators=[FileRequired(),
                                 FileAllowed(["csv", "txt"], _l("A .csv file."))])


class ImportCommitForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Length(max=64)])  # the file kept at preview
    onboarding = BooleanField(_l("Give new hires the onboarding module"))


class BrandingForm(FlaskForm):
    name = StringField(_l("Organisation's name"),
                       validators=[Optional(),
                                   Length(max=120, message=_l("At most 120 characters."))])
    accent = StringField(_l("Accent colour (links and buttons), e.g. #1f5fbf"),
                         validators=[Optional(), Length(max=7)])
    logo = FileField(_l("Logo (PNG or SVG, at most 256 KB)"),
                     validators=[FileAllowed(["png", "svg"], _l("A .png or .svg file."))])
    remove_logo = BooleanField(_l("Remove the current logo"))


class DraftForm(FlaskForm):
    """A new draft: an uploaded scenario file, or its text pasted (then named)."""

    file = FileField(_l("Scenario file (.md)"),
                     validators=[FileAllowed(["md", "txt"], _l("A .md file."))])
    text = TextAreaField(_l("Or paste the scenario's text"),
                         validators=[Optional(), Length(max=MAX_SCENARIO_BYTES)])
    name = StringField(_l("File name for pasted text, e.g. late-delivery.md"),
                       validators=[Optional(), Length(max=120)])


class DraftEditForm(FlaskForm):
    source = TextAreaField(_l("The scenario's text (Markdown, as in scenarios/README.md)"),
                           validators=[DataRequired(), Length(max=MAX_SCENARIO_BYTES)])


class RollbackForm(FlaskForm):
    version = HiddenField(validators=[DataRequired(), Length(max=18)])


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language of your pages"), validators=[Optional()])
