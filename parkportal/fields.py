"""Form fields shared by several areas."""

from __future__ import annotations

from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """Several choices as check boxes (easier than a Ctrl-click multi-select, also on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
