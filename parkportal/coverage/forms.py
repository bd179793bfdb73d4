"""Forms of coverage: a stated need (by the enterprise, or by staff after a call or visit), the period, a token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..core import vocab
from ..fields import Form, MultiCheckboxField, SelectField, strip
from .vocab import NEED_SOURCES, STAFF_NEED_SOURCES


class NeedForm(Form):
    """Legal needs: topics and a note. ``source`` says where (profile or after a service; staff: phone or visit)."""

    topics = MultiCheckboxField(_l("Legal topics you need help with"), choices=vocab.select_choices(vocab.TOPICS))
    note = TextAreaField(
        _l("What do you need? (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=1000)],
        render_kw={"rows": 2},
    )
    source = HiddenField(default="profile")
    next = HiddenField()


class StaffNeedForm(NeedForm):
    """Staff record a need an enterprise told them about, saying how it was gathered."""

    topics = MultiCheckboxField(_l("Legal topics"), choices=vocab.select_choices(vocab.TOPICS))
    note = TextAreaField(
        _l("What the enterprise needs"),
        filters=[strip],
        validators=[Optional(), Length(max=1000)],
        render_kw={"rows": 2},
    )
    source = SelectField(
        _l("Gathered"),
        choices=vocab.select_choices({code: NEED_SOURCES[code] for code in STAFF_NEED_SOURCES}),
        validators=[DataRequired(_l("Choose how the need was gathered."))],
    )


class TokenForm(Form):
    """Staff issue a named API token."""

    name = StringField(
        _l("Name (the platform that will use it)"),
        filters=[strip],
        validators=[DataRequired(_l("Name the token after the platform that will use it.")), Length(max=100)],
    )
