"""The portal's own form widgets write the markup WTForms' stock widgets would."""

from __future__ import annotations

import pytest
import wtforms
from werkzeug.datastructures import MultiDict
from wtforms import SelectMultipleField
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

from parkportal.fields import Form, MultiCheckboxField, SelectField, options

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


class _PortalSelect(Form):
    area = SelectField(
        choices=options([("", "请选择…"), ("labor", "劳动 <用工>"), (True, "是")]), validators=[DataRequired()]
    )


class _ReferenceSelect(Form):
    area = wtforms.SelectField(
        choices=options([("", "请选择…"), ("labor", "劳动 <用工>"), (True, "是")]), validators=[DataRequired()]
    )


@pytest.mark.parametrize("chosen", [None, "labor", "True"])
def test_the_select_is_wtforms_own_markup(app, chosen):
    """A select's options — the chosen one selected, labels escaped, the field's flags on the select — are the
    markup WTForms' own widget writes."""
    with app.test_request_context():
        data = MultiDict({"area": chosen} if chosen else {})
        ours = _PortalSelect(formdata=data, meta={"csrf": False}).area
        stock = _ReferenceSelect(formdata=data, meta={"csrf": False}).area
        assert ours() == stock() and ours(aria_invalid="true") == stock(aria_invalid="true")
        assert "劳动 &lt;用工&gt;" in ours() and ours().count("selected") == (1 if chosen else 0)


def test_every_select_of_the_portal_is_its_own():
    """No form of the portal renders a select with WTForms' slower widget (each is ``fields.SelectField``), and the
    check sees one that would."""
    import importlib
    import inspect
    import pkgutil

    import parkportal

    stock = []
    for module in pkgutil.walk_packages(parkportal.__path__, "parkportal."):
        if not module.name.endswith(".forms"):
            continue
        for name, form in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            for field_name, unbound in vars(form).items():
                field_class = getattr(unbound, "field_class", None)
                if field_class is not None and type(getattr(field_class, "widget", None)) is wtforms.widgets.Select:
                    stock.append(f"{module.name}.{name}.{field_name}")
    assert stock == []
    assert (
        type(wtforms.SelectField.widget) is wtforms.widgets.Select
        and type(SelectField.widget) is not wtforms.widgets.Select
    )
