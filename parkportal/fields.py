"""Forms and form fields shared by every area: the base ``Form`` every form subclasses, and common fields.

The rules that hold for every input live in ``Form``, so a form added later by any area gets them without asking:

- text is cleaned before any validator or the database sees it (``core.parsing.clean_line`` / ``clean_text``):
  single-line fields (``StringField`` and its kin, choices) fold line breaks and tabs into a space and drop
  other control characters — a name can't smuggle a header line into an e-mail — and text areas keep their
  lines but drop control characters (PostgreSQL can't store NUL at all); passwords are left as typed;
- a text field without its own ``Length`` rule is still bounded (``MAX_LINE`` / ``MAX_TEXT`` characters);
- dates and times lie in the years the portal deals with (``core.parsing.MIN_YEAR`` … ``MAX_YEAR``), and
  numbers fit a database integer (``core.parsing.MAX_ID``), so nothing Python or the database can't hold gets
  further than the form.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

import wtforms
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    DateField,
    DateTimeField,
    DecimalField,
    FloatField,
    IntegerField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice, SelectFieldBase
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput
from wtforms.widgets.core import clean_key

from .core import vocab
from .core.parsing import MAX_ID, MAX_YEAR, MIN_YEAR, clean_line, clean_text

#: Longest single-line input a field without its own ``Length`` rule takes (a ``String(255)`` column).
MAX_LINE = 255
#: Longest multi-line input a text area without its own ``Length`` rule takes.
MAX_TEXT = 20_000


def _cleaner(field_class: type):
    """The filter that cleans a field class's text before anything else sees it, or ``None``."""
    if issubclass(field_class, PasswordField):
        return None  # only its hash is stored; cleaning would change a password behind its owner's back
    if issubclass(field_class, TextAreaField):
        return clean_text
    if issubclass(field_class, StringField | SelectFieldBase):
        return clean_line
    return None


def _too_long(field, limit: int) -> bool:
    """Whether a text field without its own ``Length`` rule holds more than ``limit`` characters."""
    if any(isinstance(validator, Length) for validator in field.validators):
        return False
    values = field.data if isinstance(field.data, list | tuple) else [field.data]
    return any(isinstance(value, str) and len(value) > limit for value in values)


def _out_of_bounds(field) -> str | None:
    """Why a field's parsed value is beyond what the portal can hold, or ``None``."""
    data = field.data
    if isinstance(field, DateField | DateTimeField) and isinstance(data, date | datetime):
        if not MIN_YEAR <= data.year <= MAX_YEAR:
            return _l("Enter a date between %(first)d and %(last)d.", first=MIN_YEAR, last=MAX_YEAR)
    elif isinstance(field, IntegerField | DecimalField | FloatField) and isinstance(data, int | float | Decimal):
        if not math.isfinite(data) or abs(data) > MAX_ID:
            return _l("Enter a smaller number.")
    elif isinstance(field, TextAreaField):
        if _too_long(field, MAX_TEXT):
            return _l("Please keep it under %(n)d characters.", n=MAX_TEXT)
    elif isinstance(field, StringField | SelectFieldBase) and not isinstance(field, PasswordField):
        if _too_long(field, MAX_LINE):
            return _l("Please keep it under %(n)d characters.", n=MAX_LINE)
    return None


class Form(FlaskForm):
    """The base of every form in the portal (CSRF from Flask-WTF); input rules that hold for every field live here."""

    class Meta:
        """Every text field gets the portal's cleaning filter ahead of its own filters."""

        def bind_field(self, form, unbound_field, options):
            """Bind the field with ``clean_line`` / ``clean_text`` as its first filter."""
            cleaner = _cleaner(unbound_field.field_class)
            if cleaner is not None:
                own = tuple(options.get("filters", unbound_field.kwargs.get("filters", ())))
                options = dict(options, filters=(cleaner, *own))
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None) -> bool:
        """Each field's own rules, then the portal's bounds (lengths, years, number sizes) for every field."""
        valid = super().validate(extra_validators)
        for field in self:
            problem = _out_of_bounds(field)
            if problem is not None:
                field.errors = [*field.errors, problem]
                valid = False
        return valid


class CheckboxList:
    """The markup of WTForms' ``ListWidget(prefix_label=False)`` over ``CheckboxInput`` options — a list item per
    choice, its box then its label — written straight from the choices, their labels translated through the
    vocabularies' memo. WTForms binds a field per option to render it, and translates every label anew: 0.6 ms for
    the nine legal topics, on every page that shows such a form."""

    def __call__(self, field, **kwargs) -> Markup:
        """The ``<ul>`` of ``field``'s boxes; ``kwargs`` are attributes of the list (``aria-invalid`` …)."""
        kwargs.setdefault("id", field.id)
        shared = {clean_key(key): value for key, value in (field.render_kw or {}).items()}
        for flag in dir(field.flags):  # what CheckboxInput copies from the field's flags
            if flag in CheckboxInput.validation_attrs and flag not in shared:
                value = getattr(field.flags, flag)
                shared[flag] = value() if callable(value) else value
        items, language = [], get_locale()
        for index, choice in enumerate(field.iter_choices()):
            option_id = f"{field.id}-{index}"
            box = {**shared, "id": option_id, "type": "checkbox", "value": str(choice.value), "name": field.name}
            if choice.selected:
                box.setdefault("checked", True)
            label = escape(vocab.translate(choice.label or choice.value, language))
            items.append(f'<li><input {_attributes(box)}> <label for="{escape(option_id)}">{label}</label></li>')
        return Markup(f"<ul {_attributes(kwargs)}>{''.join(items)}</ul>")


def _attributes(values: dict) -> str:
    """What WTForms' ``html_params`` writes — sorted names, a true boolean bare, a false one left out, values
    escaped — without its Markup formatting, which costs more than the rest of a list of check boxes."""
    written = []
    for name, value in sorted(values.items()):
        name = clean_key(name)
        if value is True:
            written.append(name)
        elif value is not False:
            written.append(f'{escape(name)}="{escape(value)}"')
    return " ".join(written)


class Select(widgets.Select):
    """WTForms' ``<select>``, each option written as ``CheckboxList`` writes a box: the same markup, its label
    translated through the vocabularies' memo and its attributes without Markup formatting (a select of the nine
    topics: 0.54 → 0.20 ms)."""

    @classmethod
    def render_option(cls, choice, **kwargs) -> Markup:
        """One ``<option>``: WTForms' ``Select.render_option``."""
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        attributes = {"value": value, **(choice.render_kw or {}), **kwargs}
        if choice.selected:
            attributes["selected"] = True
        label = escape(vocab.translate(choice.label or choice.value))
        return Markup(f"<option {_attributes(attributes)}>{label}</option>")


class SelectField(wtforms.SelectField):
    """WTForms' select field, rendered by the portal's ``Select`` (every select of the portal's forms is this)."""

    widget = Select()


class MultiCheckboxField(SelectMultipleField):
    """Several choices as check boxes (easier than a Ctrl-click multi-select, also on a phone)."""

    widget = CheckboxList()
    option_widget = CheckboxInput()


def options(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def strip(value):
    """Trim surrounding white space of text input."""
    return value.strip() if isinstance(value, str) else value
