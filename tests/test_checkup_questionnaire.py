"""The questionnaire file: the package's version loads, covers the areas the issue names, and a malformed file is
refused naming the line and the question; the risk rules flag what they say; versions are stored once."""

from __future__ import annotations

import textwrap

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from parkportal.checkups import questionnaire as qn
from parkportal.checkups import service
from parkportal.core.vocab import TOPICS
from parkportal.extensions import db
from parkportal.models import Questionnaire

GOOD = """\
version: "t1"
title: 测试问卷
areas:
  - area: labor
    questions:
      - code: lb_contracts
        kind: yesno
        text: 是否与全部员工签订书面劳动合同？
        risk: {when: no, level: high, note: 未签书面劳动合同}
      - code: lb_insurance
        kind: single
        text: 社保缴纳情况？
        options:
          - {code: full, label: 足额}
          - {code: partial, label: 部分未缴}
        risk: {when: [partial], level: medium, note: 社保未足额缴纳}
      - code: lb_notes
        kind: text
        text: 备注
        required: false
  - area: data_privacy
    questions:
      - code: dp_kinds
        kind: multiple
        text: 处理哪些个人信息？
        options:
          - {code: employees, label: 员工}
          - {code: sensitive, label: 敏感个人信息}
        risk: {when: [sensitive], level: low, note: 敏感个人信息}
"""


def test_the_package_questionnaire_loads():
    """The shipped file has 25–40 questions with unique codes, all four kinds, and the issue's eight areas."""
    definition = qn.load_file()
    codes = [q.code for q in definition.questions]
    assert 25 <= len(codes) <= 40 and len(set(codes)) == len(codes)
    assert {q.kind for q in definition.questions} == {"yesno", "single", "multiple", "text"}
    areas = [area.code for area in definition.areas]
    assert set(areas) >= {"company_law", "contracts", "labor", "ip", "tax", "safety", "data_privacy", "disputes"}
    assert set(areas) <= set(TOPICS)
    assert definition.question("lb_written_contracts").risk.level == "high"
    assert definition.version and definition.checksum


def test_rules_flag_the_risky_answers():
    """An answer listed in a rule flags its level and area; safe and missing answers flag nothing."""
    definition = qn.load_text(GOOD)
    flags = qn.flags(definition, {"lb_contracts": "no", "lb_insurance": "partial", "dp_kinds": ["employees"]})
    assert [(f.question.code, f.level, f.area) for f in flags] == [
        ("lb_contracts", "high", "labor"),
        ("lb_insurance", "medium", "labor"),
    ]
    assert qn.flags(definition, {"lb_contracts": "yes", "lb_insurance": "full"}) == []
    assert [f.level for f in qn.flags(definition, {"dp_kinds": ["employees", "sensitive"]})] == ["low"]


def test_flags_are_ordered_most_serious_first():
    """A low flag early in the file still comes after a high one."""
    definition = qn.load_text(GOOD)
    flags = qn.flags(definition, {"dp_kinds": ["sensitive"], "lb_contracts": "no"})
    assert [f.level for f in flags] == ["high", "low"]


def test_parse_answers_reads_only_the_questions_sent(app):
    """A partial form leaves other answers alone; a multiple choice is cleared through its hidden empty field."""
    definition = qn.load_text(GOOD)
    with app.test_request_context():
        answers, errors = qn.parse_answers(definition, MultiDict([("lb_contracts", "yes"), ("dp_kinds", "")]), False)
    assert answers == {"lb_contracts": "yes", "dp_kinds": []} and errors == {}
    assert qn.missing(definition, answers) == ["lb_insurance", "dp_kinds"]


def test_parse_answers_refuses_unknown_options_and_long_text(app):
    """A value no option has, or a text beyond the limit, is an error on that question."""
    definition = qn.load_text(GOOD)
    form = MultiDict([("lb_insurance", "maybe"), ("dp_kinds", "hacked"), ("lb_notes", "字" * 501)])
    with app.test_request_context():
        _answers, errors = qn.parse_answers(definition, form, False)
    assert set(errors) == {"lb_insurance", "dp_kinds", "lb_notes"}


def _broken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_broken("kind: single", "kind: dropdown"), r"line 10 \(question lb_insurance\): kind 'dropdown'"),
        (_broken("code: lb_notes", "code: lb_contracts"),
         r"line 17: the code lb_contracts is used twice \(first on line 6\)"),
        (_broken("area: data_privacy", "area: privacy"), r"line 21: area 'privacy' is not a legal-topic code"),
        (_broken("risk: {when: no,", "risk: {when: maybe,"), r"line 9 \(question lb_contracts\): risk 'when'"),
        (_broken("level: medium", "level: orange"), r"line 16 \(question lb_insurance\): risk level 'orange'"),
        (_broken("required: false", "requried: false"), r"line 17 \(question lb_notes\): unknown key\(s\) requried"),
        (_broken("        text: 备注\n", "        text: 备注\n        risk: {when: x, level: low, note: y}\n"),
         r"\(question lb_notes\): a text question can't carry a risk rule"),
        (_broken("          - {code: partial, label: 部分未缴}\n", ""),
         r"line 10 \(question lb_insurance\): a choice question needs .*at least two options"),
        (_broken('version: "t1"', "version: 1.0"), r"line 1: write the version in quotes"),
        (_broken("        text: 备注\n", "        text: 备注\n        text: 重复\n"),
         r"line 20: the key 'text' is given twice"),
        (_broken("    questions:\n      - code: lb_contracts", "    questions:\n    - code: lb_contracts"),
         r"line \d+: not valid YAML"),
        ("- just a list\n", r"the file must be a mapping"),
    ],
    ids=["kind", "duplicate-code", "area", "rule-answer", "level", "typo-key", "text-rule", "one-option",
         "version-number", "duplicate-key", "yaml-syntax", "not-a-mapping"],
)  # fmt: skip
def test_a_malformed_file_is_refused_naming_line_and_question(tmp_path, text, expected):
    """Each kind of mistake is refused with the file's name, the line and (where it applies) the question."""
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        qn.QuestionnaireError,
        match=r"^broken\.yaml, .*" + expected if "mapping" not in expected else r"^broken\.yaml: " + expected,
    ):
        qn.load_file(path)


def test_version_is_stored_once_and_a_silent_change_is_refused(ctx):
    """The package version is stored on first use, reused after; changed questions under the same version refuse."""
    first = service.stored_questionnaire()
    again = service.stored_questionnaire()
    assert first.id == again.id
    assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == 1
    changed = qn.load_text(textwrap.dedent(GOOD).replace('"t1"', f'"{first.version}"'))
    with pytest.raises(qn.QuestionnaireError, match="changed but its version"):
        service.stored_questionnaire(changed)
