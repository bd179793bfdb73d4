"""The self-check questionnaire as data: ``questionnaire.yaml`` loaded, checked, stored by version, and answered.

``load_file`` refuses a malformed file with ``QuestionnaireError`` naming the file, the line and the question;
``build`` turns checked data into a ``Definition`` (also the copy stored with a version in the database, so answers
always read against the questions they answered). ``parse_answers`` reads a submitted form against a definition
and ``flags`` applies the questions' risk rules to answers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _

from ..core.vocab import TOPICS
from .vocab import QUESTION_KINDS, Level

#: The questionnaire file in the package.
PACKAGE_FILE = Path(__file__).with_name("questionnaire.yaml")
#: Longest answer to a short-text question.
MAX_TEXT = 500
#: Severity order of the levels (most serious first).
SEVERITY = {Level.HIGH: 0, Level.MEDIUM: 1, Level.LOW: 2}

_CODE = re.compile(r"[a-z][a-z0-9_]{1,39}", re.ASCII)
_LINE = "__line__"


class QuestionnaireError(ValueError):
    """A questionnaire file that can't be used; the message names the file, the line and the question."""


@dataclass(frozen=True)
class Option:
    """A choice of a single- or multiple-choice question."""

    code: str
    label: str
    label_en: str = ""


@dataclass(frozen=True)
class Rule:
    """A preliminary risk: an answer in ``when`` (for multiple choice: any chosen option in it) flags ``level``."""

    when: frozenset[str]
    level: str
    note: str
    note_en: str = ""


@dataclass(frozen=True)
class Question:
    """One question of an area."""

    code: str
    kind: str
    area: str
    text: str
    text_en: str = ""
    help: str = ""
    help_en: str = ""
    required: bool = True
    options: tuple[Option, ...] = ()
    risk: Rule | None = None

    def option_label(self, code: str, english: bool = False) -> str:
        """The label of the option ``code`` (the code itself when unknown)."""
        for option in self.options:
            if option.code == code:
                return (option.label_en if english and option.label_en else option.label) or code
        return code


@dataclass(frozen=True)
class Area:
    """An area of the questionnaire: a legal topic with its questions."""

    code: str
    intro: str
    intro_en: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Definition:
    """A checked questionnaire: its version, title and areas."""

    version: str
    title: str
    areas: tuple[Area, ...]
    data: dict = field(compare=False, repr=False, default_factory=dict)  # the plain data, stored with the version
    checksum: str = ""

    @property
    def questions(self) -> list[Question]:
        """Every question in order."""
        return [q for area in self.areas for q in area.questions]

    def question(self, code: str) -> Question | None:
        """The question with ``code``."""
        return next((q for q in self.questions if q.code == code), None)


@dataclass(frozen=True)
class Flag:
    """A preliminary risk flagged by an answer."""

    question: Question
    level: str
    area: str
    note: str
    note_en: str = ""


def text_for(obj: Any, name: str, english: bool) -> str:
    """``obj.<name>`` in the page's language: the English variant when English is shown and the file has one."""
    if english:
        value = getattr(obj, f"{name}_en", "")
        if value:
            return value
    return getattr(obj, name)


# ------------------------------------------------------------------------------------------------ loading


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, remembering each mapping's line so errors can name it."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    """A mapping with its 1-based line under ``__line__``; a key given twice is refused."""
    seen: set = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise QuestionnaireError(f"line {key_node.start_mark.line + 1}: the key {key!r} is given twice")
        seen.add(key)
    mapping = loader.construct_mapping(node)
    mapping[_LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_file(path: Path | str = PACKAGE_FILE) -> Definition:
    """Read and check a questionnaire file; ``QuestionnaireError`` says what is wrong, where."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    return load_text(text, path.name)


def load_text(text: str, source: str = "questionnaire.yaml") -> Definition:
    """Check the YAML ``text`` (from ``source``, for messages) and build its definition."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except QuestionnaireError as error:
        raise QuestionnaireError(f"{source}, {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "somewhere"
        problem = getattr(error, "problem", None) or str(error)
        raise QuestionnaireError(f"{source}, {where}: not valid YAML ({problem})") from None
    definition = build(data, source)
    return Definition(
        version=definition.version,
        title=definition.title,
        areas=definition.areas,
        data=_plain(data),
        checksum=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> Definition:
    """The file's definition, read once per change of the file."""
    return load_file(path)


def package_definition() -> Definition:
    """The questionnaire shipped in the package (read once; again when the file changes)."""
    return _cached(str(PACKAGE_FILE), PACKAGE_FILE.stat().st_mtime)


def _plain(data: Any) -> Any:
    """``data`` without the loader's line marks (what the database stores)."""
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items() if key != _LINE}
    if isinstance(data, list):
        return [_plain(item) for item in data]
    return data


class _Checker:
    """Builds a definition from loaded data, naming the source, line and question of the first problem."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, node: Mapping | None, message: str, question: str | None = None) -> QuestionnaireError:
        """The error for ``message`` at ``node``'s line (and ``question``)."""
        line = node.get(_LINE) if isinstance(node, Mapping) else None
        where = f", line {line}" if line else ""
        about = f" (question {question})" if question else ""
        return QuestionnaireError(f"{self.source}{where}{about}: {message}")

    def text(self, node: Mapping, key: str, required: bool = True, question: str | None = None) -> str:
        """A non-empty text value of ``node``."""
        value = node.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, f"'{key}' must be a non-empty text", question)
        return value.strip()

    def keys(self, node: Mapping, allowed: set[str], question: str | None = None) -> None:
        """Refuse keys the format doesn't know (a typo like 'requried' would silently change nothing)."""
        unknown = sorted(str(key) for key in node if key != _LINE and key not in allowed)
        if unknown:
            raise self.fail(
                node, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}", question
            )

    def definition(self, data: Any) -> Definition:
        """The whole file."""
        if not isinstance(data, Mapping):
            raise self.fail(None, "the file must be a mapping with version, title and areas")
        self.keys(data, {"version", "title", "areas"})
        version = data.get("version")
        if isinstance(version, int | float):
            raise self.fail(data, f'write the version in quotes ("{version}"), so it stays text')
        version = self.text(data, "version")
        if len(version) > 32:
            raise self.fail(data, "'version' is longer than 32 characters")
        areas = data.get("areas")
        if not isinstance(areas, list) or not areas:
            raise self.fail(data, "'areas' must be a non-empty list")
        seen_areas: set[str] = set()
        seen_codes: dict[str, int | None] = {}
        built = []
        for node in areas:
            area = self.area(node, seen_codes)
            if area.code in seen_areas:
                raise self.fail(node, f"the area {area.code} is given twice")
            seen_areas.add(area.code)
            built.append(area)
        return Definition(version=version, title=self.text(data, "title")[:200], areas=tuple(built))

    def area(self, node: Any, seen_codes: dict[str, int | None]) -> Area:
        """One area and its questions."""
        if not isinstance(node, Mapping):
            raise self.fail(None, "each area must be a mapping with area, intro and questions")
        self.keys(node, {"area", "intro", "intro_en", "questions"})
        code = node.get("area")
        if code not in TOPICS:
            raise self.fail(node, f"area {code!r} is not a legal-topic code ({', '.join(TOPICS)})")
        questions = node.get("questions")
        if not isinstance(questions, list) or not questions:
            raise self.fail(node, f"the area {code} needs a non-empty list of questions")
        built = []
        for item in questions:
            question = self.question(item, code)
            if question.code in seen_codes:
                raise self.fail(
                    item, f"the code {question.code} is used twice (first on line {seen_codes[question.code]})"
                )
            seen_codes[question.code] = item.get(_LINE)
            built.append(question)
        return Area(
            code=code,
            intro=self.text(node, "intro", required=False),
            intro_en=self.text(node, "intro_en", required=False),
            questions=tuple(built),
        )

    def question(self, node: Any, area: str) -> Question:
        """One question, its options and its rule."""
        if not isinstance(node, Mapping):
            raise self.fail(None, f"each question of {area} must be a mapping")
        code = node.get("code")
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise self.fail(node, f"'code' must be 2–40 lower-case letters, digits or _ (got {code!r})")
        self.keys(node, {"code", "kind", "text", "text_en", "help", "help_en", "required", "options", "risk"}, code)
        kind = node.get("kind")
        if kind not in QUESTION_KINDS:
            raise self.fail(node, f"kind {kind!r} is not one of {', '.join(QUESTION_KINDS)}", code)
        required = node.get("required", True)
        if not isinstance(required, bool):
            raise self.fail(node, "'required' must be true or false", code)
        options = self.options(node, kind, code)
        values = {"yes", "no"} if kind == "yesno" else {o.code for o in options}
        return Question(
            code=code,
            kind=kind,
            area=area,
            text=self.text(node, "text", question=code),
            text_en=self.text(node, "text_en", required=False, question=code),
            help=self.text(node, "help", required=False, question=code),
            help_en=self.text(node, "help_en", required=False, question=code),
            required=required,
            options=options,
            risk=self.rule(node.get("risk"), node, kind, values, code),
        )

    def options(self, node: Mapping, kind: str, code: str) -> tuple[Option, ...]:
        """The options of a choice question (none for yes/no and text)."""
        raw = node.get("options")
        if kind in ("yesno", "text"):
            if raw is not None:
                raise self.fail(node, f"a {kind} question has no options", code)
            return ()
        if not isinstance(raw, list) or len(raw) < 2:
            raise self.fail(node, "a choice question needs a list of at least two options", code)
        built = []
        for item in raw:
            if not isinstance(item, Mapping):
                raise self.fail(node, "each option must be a mapping {code, label}", code)
            self.keys(item, {"code", "label", "label_en"}, code)
            option_code = item.get("code")
            if not isinstance(option_code, str) or not _CODE.fullmatch(option_code):
                raise self.fail(item, f"option code {option_code!r} must be lower-case letters, digits or _", code)
            if option_code in {o.code for o in built}:
                raise self.fail(item, f"the option {option_code} is given twice", code)
            built.append(
                Option(
                    option_code,
                    self.text(item, "label", question=code),
                    self.text(item, "label_en", required=False, question=code),
                )
            )
        return tuple(built)

    def rule(self, raw: Any, node: Mapping, kind: str, values: set[str], code: str) -> Rule | None:
        """The question's risk rule, if any; its answers must be ones the question can have."""
        if raw is None:
            return None
        if kind == "text":
            raise self.fail(node, "a text question can't carry a risk rule", code)
        if not isinstance(raw, Mapping):
            raise self.fail(node, "'risk' must be a mapping with when, level and note", code)
        self.keys(raw, {"when", "level", "note", "note_en"}, code)
        when = raw.get("when")
        items = when if isinstance(when, list) else [when]
        # YAML 1.1 reads a bare yes/no as true/false: take them as the answers they stand for.
        answers = {("yes" if item else "no") if isinstance(item, bool) else item for item in items}
        if not answers or not all(isinstance(a, str) for a in answers) or not answers <= values:
            raise self.fail(
                raw, f"risk 'when' must name answers of this question ({', '.join(sorted(values))}), got {when!r}", code
            )
        level = raw.get("level")
        if level not in SEVERITY:
            raise self.fail(raw, f"risk level {level!r} is not one of high, medium, low", code)
        return Rule(
            frozenset(answers),
            level,
            self.text(raw, "note", question=code),
            self.text(raw, "note_en", required=False, question=code),
        )


def build(data: Any, source: str = "questionnaire") -> Definition:
    """A definition from loaded (or stored) data; ``QuestionnaireError`` when it breaks the format."""
    return _Checker(source).definition(data)


def from_stored(version: str, data: dict) -> Definition:
    """The definition of a version stored in the database."""
    return build(data, f"questionnaire version {version}")


# ------------------------------------------------------------------------------------------------ answers


def parse_answers(definition: Definition, form: Any, finish: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers in ``form`` (a MultiDict) to ``definition``'s questions, and an error per question code.

    Only questions present in the form are read (a multiple-choice question is present through its hidden empty
    field), so a partial post keeps earlier answers. Invalid values are always errors; with ``finish``, so is a
    required question left unanswered (``missing``, checked by the caller against the merged answers).
    """
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in definition.questions:
        if question.code not in form:
            continue
        if question.kind == "multiple":
            chosen = [value for value in form.getlist(question.code) if value]
            valid = {o.code for o in question.options}
            if any(value not in valid for value in chosen):
                errors[question.code] = _("Choose from the options shown.")
            answers[question.code] = list(dict.fromkeys(chosen))
            continue
        value = (form.get(question.code) or "").strip()
        if question.kind == "text":
            if len(value) > MAX_TEXT:
                errors[question.code] = _("Please keep it under %(n)d characters.", n=MAX_TEXT)
            answers[question.code] = value
        else:
            valid = {"yes", "no"} if question.kind == "yesno" else {o.code for o in question.options}
            if value and value not in valid:
                errors[question.code] = _("Choose from the options shown.")
            answers[question.code] = value
    return answers, errors


def missing(definition: Definition, answers: Mapping[str, Any]) -> list[str]:
    """The codes of required questions without an answer."""
    return [q.code for q in definition.questions if q.required and not answers.get(q.code)]


def answered(definition: Definition, answers: Mapping[str, Any]) -> int:
    """How many questions have an answer."""
    return sum(1 for q in definition.questions if answers.get(q.code))


def flags(definition: Definition, answers: Mapping[str, Any]) -> list[Flag]:
    """The preliminary risks the answers raise, most serious first (then in questionnaire order)."""
    found = []
    for question in definition.questions:
        rule = question.risk
        value = answers.get(question.code)
        if rule is None or not value:
            continue
        chosen = set(value) if isinstance(value, list) else {value}
        if chosen & rule.when:
            found.append(Flag(question, rule.level, question.area, rule.note, rule.note_en))
    return sorted(found, key=lambda flag: SEVERITY[Level(flag.level)])
