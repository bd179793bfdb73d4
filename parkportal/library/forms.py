"""Forms of the library: uploading a compilation (or a new edition) and recording printed copies."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from ..core import vocab
from ..core.parsing import MAX_YEAR, MIN_YEAR, parse_int
from ..fields import Form, MultiCheckboxField, SelectField, options, strip
from ..timeutil import local_today
from .service import MAX_COPIES
from .vocab import HANDOUT_PLACES

_YEAR = re.compile(r"(?<!\d)(20\d\d|2100)(?!\d)")


class UploadForm(Form):
    """A compilation: the public contract's fields (title, edition, summary, topics, file, published)."""

    title = StringField(_l("Title"), filters=[strip], validators=[InputRequired(_l("Enter a title.")), Length(max=200)])
    edition = StringField(
        _l("Edition or year"),
        filters=[strip],
        validators=[InputRequired(_l("Enter the edition, e.g. 2025 edition.")), Length(max=50)],
    )
    year = StringField(_l("Year"), filters=[strip])
    summary = TextAreaField(_l("Summary"), filters=[strip], validators=[Length(max=5000)])
    topics = MultiCheckboxField(_l("Legal topics"), choices=options(vocab.choices(vocab.TOPICS)))
    file = FileField(_l("File (PDF, Word .docx or Excel .xlsx)"))
    published = BooleanField(_l("Publish now (otherwise it is saved as a draft)"))
    previous_id = HiddenField()

    def validate_year(self, field):
        """An optional year within the portal's years (taken from the edition when left empty)."""
        if field.data and parse_int(field.data, MIN_YEAR, MAX_YEAR) is None:
            raise ValidationError(_l("Enter a year such as 2025."))

    def validate_topics(self, field):
        """At least one legal topic, so the topic filter finds it."""
        if not field.data:
            raise ValidationError(_l("Choose at least one legal topic."))

    def validate_file(self, field):
        """A file must be chosen (its content is checked by the library's storage rules)."""
        if not field.data or not getattr(field.data, "filename", None):
            raise ValidationError(_l("Choose a file to upload."))

    @property
    def year_value(self) -> int:
        """The year entered, else one written in the edition (e.g. "2025年版"), else this year."""
        entered = parse_int(self.year.data, MIN_YEAR, MAX_YEAR)
        if entered:
            return entered
        found = _YEAR.search(self.edition.data or "")
        return int(found.group(1)) if found else local_today().year


class PrintedForm(Form):
    """Printed copies of an edition handed to an enterprise."""

    enterprise = StringField(
        _l("Enterprise (统一社会信用代码 or full name)"),
        filters=[strip],
        validators=[InputRequired(_l("Enter the enterprise's 统一社会信用代码 or its full name.")), Length(max=200)],
    )
    copies = StringField(_l("Copies"), filters=[strip], validators=[InputRequired(_l("Enter the number of copies."))])
    handed_on = DateField(_l("Handed out on"), validators=[InputRequired(_l("Enter a date."))])
    place = SelectField(_l("Where"), choices=options(vocab.choices(HANDOUT_PLACES)))
    place_note = StringField(_l("Event or note"), filters=[strip], validators=[Length(max=200)])

    def validate_copies(self, field):
        """A whole number of copies from 1 to ``MAX_COPIES``."""
        if parse_int(field.data, 1, MAX_COPIES) is None:
            raise ValidationError(_l("Enter a number of copies from 1 to %(most)d.", most=MAX_COPIES))

    @property
    def copies_value(self) -> int:
        """The number of copies entered (valid after ``validate``)."""
        return parse_int(self.copies.data, 1, MAX_COPIES) or 0
