"""Every user-facing string has a Simplified Chinese translation, with the same placeholders, and pages use it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "parkportal" / "translations"
#: The catalog folder of Simplified Chinese. Babel parses the configured "zh_CN" to zh_Hans_CN, and Flask-Babel
#: looks up that folder name: a folder called zh_CN is never loaded (ckan/ckan#4413, flask-admin#403).
ZH = "zh_Hans_CN"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
#: Python %-format placeholders, as Flask-Babel fills them: %(name)s, %(num)d, and a literal %%.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%%")


@cache
def extracted_msgids() -> frozenset[str]:
    """The msgids in the source right now, extracted like `make extract-messages` (babel.cfg); plurals by singular."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    msgids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgids.add(message[0] if isinstance(message, tuple) else message)
    return frozenset(msgids)


def catalog(locale: str):
    """The .po catalog of a locale as committed."""
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=locale)


def msgstrs(message) -> tuple[str, ...]:
    """All msgstr forms of a catalog entry."""
    return tuple(message.string) if message.pluralizable else (message.string,)


def key(message) -> str:
    """A catalog entry's msgid, plurals by singular (as extracted_msgids has them)."""
    return message.id[0] if message.pluralizable else message.id


def placeholders(text: str) -> list[str]:
    """The placeholders of a string, sorted (translations may reorder them)."""
    return sorted(PLACEHOLDER.findall(text))


def test_extraction_finds_the_ui_strings():
    """Extraction sees Python (_l, ngettext) and template strings, so the coverage check below means something."""
    msgids = extracted_msgids()
    assert "Sign in" in msgids  # templates
    assert "Unified social credit code" in msgids  # lazy_gettext in forms
    assert "%(num)d lawyer takes bookings" in msgids  # ngettext in a template
    assert "Legal checkup" in msgids  # _l in catalog.py


def test_every_msgid_has_a_chinese_translation():
    """A string added to the code without a zh_CN translation fails here, named."""
    zh = {key(m): m for m in catalog(ZH) if m.id}
    missing = sorted(
        msgid
        for msgid in extracted_msgids()
        if msgid not in zh or "fuzzy" in zh[msgid].flags or not all(s.strip() for s in msgstrs(zh[msgid]))
    )
    assert not missing, (
        "These msgids have no (or only a fuzzy) zh_CN translation; run `make update-translations` and translate "
        "them in parkportal/translations/zh_Hans_CN/LC_MESSAGES/messages.po:\n" + "\n".join(missing)
    )


def test_english_catalog_lists_every_msgid():
    """The en catalog is updated with the same msgids (its msgstrs stay empty: English falls back to the msgid)."""
    en = {key(m) for m in catalog("en") if m.id}
    missing = sorted(extracted_msgids() - en)
    assert not missing, "Run `make update-translations`; missing from the en catalog:\n" + "\n".join(missing)


def test_chinese_placeholders_match_the_msgid():
    """Each zh_CN msgstr keeps exactly the %(name)s placeholders of its msgid (else formatting breaks)."""
    wrong = []
    for message in catalog(ZH):
        if not message.id:
            continue
        ids = message.id if message.pluralizable else (message.id,)
        for text in msgstrs(message):
            if text and any(placeholders(msgid) != placeholders(text) for msgid in ids):
                wrong.append(f"{ids[0]!r} -> {text!r}")
    assert not wrong, "Placeholders differ:\n" + "\n".join(wrong)


def test_home_page_speaks_chinese_by_default_and_english_on_request(client):
    """The home page is in Chinese for a new visitor and in English with ?lang=en (needs `make translations`)."""
    chinese = client.get("/").get_data(as_text=True)
    assert "企业注册" in chinese, "zh_CN catalog not compiled? run `make translations`"
    assert "统一社会信用代码" in chinese
    assert "Register your enterprise" not in chinese
    assert "book a lawyer for the question you have" not in chinese

    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Register your enterprise" in english
    assert "Register with your unified social credit code, then book a lawyer for the question you have." in english
    assert "企业注册" not in english
