"""The portal's own form widgets write the markup WTForms' stock widgets would."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import SelectMultipleField
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

from parkportal.fields import Form, MultiCheckboxField, options

CHOICES = options([("contracts", "合同"), ("labor", "劳动 <用工> & 人事"), ("ip", "")])


class _Stock(SelectMultipleField):
    """What ``MultiCheckboxField`` was: WTForms' list of check boxes, a bound field per option."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _Portal(Form):
    plain = MultiCheckboxField(choices=CHOICES)
    required = MultiCheckboxField(choices=CHOICES, validators=[DataRequired()])
    styled = MultiCheckboxField(choices=CHOICES, render_kw={"class": "compact", "data-x": "1"})


class _Reference(Form):
    plain = _Stock(choices=CHOICES)
    required = _Stock(choices=CHOICES, validators=[DataRequired()])
    styled = _Stock(choices=CHOICES, render_kw={"class": "compact", "data-x": "1"})


@pytest.mark.parametrize("name", ["plain", "required", "styled"])
@pytest.mark.parametrize("chosen", [[], ["labor"], ["contracts", "ip"]])
def test_the_checkbox_list_is_wtforms_own_markup(app, name, chosen):
    """Check boxes with their labels (escaped), the chosen ones checked, the field's flags and attributes on each
    box, attributes given at render time on the list — the same markup, without a bound field per option."""
    with app.test_request_context():
        data = MultiDict([(name, value) for value in chosen])
        ours = _Portal(formdata=data, meta={"csrf": False})[name]
        stock = _Reference(formdata=data, meta={"csrf": False})[name]
        assert ours() == stock()
        assert ours(aria_invalid="true") == stock(aria_invalid="true")
        assert ours().count("checked") == len(chosen) and "劳动 &lt;用工&gt; &amp; 人事" in ours()
