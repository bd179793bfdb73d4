"""Forms and form fields shared by every area: the base ``Form`` every form subclasses, and common fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


class Form(FlaskForm):
    """The base of every form in the portal (CSRF from Flask-WTF); input rules that hold for every field live here."""


class MultiCheckboxField(SelectMultipleField):
    """Several choices as check boxes (easier than a Ctrl-click multi-select, also on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def options(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def strip(value):
    """Trim surrounding white space of text input."""
    return value.strip() if isinstance(value, str) else value
