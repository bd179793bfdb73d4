"""The library's rules: publishing editions, the download log, printed copies, and the figures staff read.

Functions take the acting user explicitly, flush and never commit. **Copies distributed** = downloads by
enterprise users + printed copies handed to enterprises; each is a service touch of that enterprise. Downloads
by staff and lawyers are logged too but reach no enterprise, so they count in none of the figures.

The figures per compilation are **kept, not counted**: each download and printed copy adds to the compilation's
counters in its own transaction, and the first copy an enterprise gets writes its ``CompilationReach`` row (a
unique pair: two colleagues downloading at once count their enterprise once). ``recount()`` rebuilds them from the
logs (after a bulk import such as ``seed-district``); a test holds the kept figures to the counted ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import Select, delete, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from ..core import audit, locking
from ..core.errors import Conflict, Invalid, NotAllowed, WrongState
from ..core.search import contains
from ..extensions import db
from ..models import Compilation, CompilationReach, CompilationTopic, Download, Enterprise, PrintedCopy, User
from ..timeutil import local_today, utcnow
from . import storage
from .vocab import HANDOUT_PLACES

#: At most this many printed copies in one handout record.
MAX_COPIES = 10_000


def may_publish(user: User | None) -> bool:
    """Staff and the partner firm's lawyers publish compilations."""
    return user is not None and (user.is_staff or user.is_lawyer)


def may_manage(user: User | None, compilation: Compilation) -> bool:
    """Staff manage every compilation; a lawyer the ones they uploaded."""
    if user is None:
        return False
    return user.is_staff or (user.is_lawyer and compilation.created_by_id == user.id)


def upload(
    *,
    actor: User,
    title: str,
    edition: str,
    year: int,
    summary: str,
    topics: list[str],
    published: bool,
    filename: str | None,
    stream: BinaryIO,
    previous: Compilation | None = None,
) -> Compilation:
    """Add a compilation (a new edition of ``previous`` when given) with its file. Flushes.

    The file is checked first (type by content, size, name); a refusal writes nothing. The same file twice is
    refused (``Conflict``), also when two uploads race: the unique hash decides, and the loser's file is removed.
    """
    if not may_publish(actor):
        raise NotAllowed(_("Only park staff and the partner firm's lawyers publish compilations."))
    checked = storage.check(filename, stream)
    found = db.session.scalar(select(Compilation).where(Compilation.sha256 == checked.sha256))
    if found is not None:
        raise Conflict(
            _(
                "This file has been uploaded before, as «%(title)s» (%(edition)s).",
                title=found.title,
                edition=found.edition,
            ),
            "file",
        )
    if previous is not None and previous.next_edition is not None:
        raise Conflict(
            _("«%(title)s» (%(edition)s) already has a newer edition.", title=previous.title, edition=previous.edition),
        )
    stored_name = storage.store(stream, checked.kind)
    cover_name = storage.render_cover(stored_name) if checked.kind == "pdf" else None
    compilation = Compilation(
        title=title,
        edition=edition,
        year=year,
        summary=summary,
        kind=str(checked.kind),
        original_name=checked.name,
        stored_name=stored_name,
        size_bytes=checked.size,
        sha256=checked.sha256,
        cover_name=cover_name,
        published=False,
        previous_id=previous.id if previous is not None else None,
        created_by_id=actor.id,
        topic_rows=[CompilationTopic(topic=code) for code in dict.fromkeys(topics)],
    )
    lost = Conflict(_("This file or edition was uploaded by someone else a moment ago."), "file")
    try:
        with locking.insert_or_lose(lost):
            db.session.add(compilation)
    except Conflict:
        storage.discard(storage.path_of(stored_name))
        if cover_name:
            storage.discard(storage.cover_path(cover_name))
        raise
    audit.record("library.uploaded", compilation, actor=actor, title=title, edition=edition, sha256=checked.sha256)
    if published:
        set_published(compilation, True, actor)
    return compilation


def set_published(compilation: Compilation, published: bool, actor: User) -> bool:
    """Publish or unpublish; ``True`` when it changed (and the change is in the audit log). Flushes."""
    if not may_manage(actor, compilation):
        raise NotAllowed(_("You may change only the compilations you uploaded."))
    compilation = locking.lock(compilation)
    if compilation.published == published:
        return False
    compilation.published = published
    if published and compilation.published_at is None:
        compilation.published_at = utcnow()
    audit.record(
        "library.published" if published else "library.unpublished",
        compilation,
        actor=actor,
        title=compilation.title,
        edition=compilation.edition,
    )
    db.session.flush()
    return True


def record_download(compilation_id: int, user_id: int, enterprise_id: int | None) -> Download:
    """Log one download by a user (for their enterprise; ``None`` for staff and lawyers). Flushes.

    Takes plain ids, so inside ``locking.write_transaction`` the insert is the transaction's first statement
    (nothing loaded earlier has to be read again first).
    """
    row = Download(compilation_id=compilation_id, user_id=user_id, enterprise_id=enterprise_id, created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    if enterprise_id is not None:
        _count(compilation_id, enterprise_id, downloads=1)
    return row


def _count(compilation_id: int, enterprise_id: int, downloads: int = 0, printed: int = 0) -> None:
    """Add a copy that reached ``enterprise_id`` to the compilation's kept figures (in the caller's transaction)."""
    values = {"compilation_id": compilation_id, "enterprise_id": enterprise_id}
    dialect = db.session.get_bind().dialect.name
    table = CompilationReach.__table__
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table).values(values)
    returned = statement.on_conflict_do_nothing().returning(table.c.enterprise_id)
    first = db.session.execute(returned).first() is not None  # a row comes back only when the pair is new
    db.session.execute(
        update(Compilation)
        .where(Compilation.id == compilation_id)
        .values(
            downloads_count=Compilation.downloads_count + downloads,
            printed_count=Compilation.printed_count + printed,
            reached_count=Compilation.reached_count + (1 if first else 0),
        )
        .execution_options(synchronize_session=False)
    )


def recount() -> None:
    """Rebuild every compilation's kept figures and the reach pairs from the download log and the printed copies
    (after rows were written around ``record_download``/``record_printed``, e.g. a bulk import). Flushes."""
    db.session.flush()
    db.session.execute(delete(CompilationReach))
    pairs = touches()
    db.session.execute(
        CompilationReach.__table__.insert().from_select(
            ["compilation_id", "enterprise_id"], select(pairs.c.compilation_id, pairs.c.enterprise_id)
        )
    )
    downloads = (
        select(func.count())
        .where(Download.compilation_id == Compilation.id, Download.enterprise_id.is_not(None))
        .scalar_subquery()
    )
    printed = (
        select(func.coalesce(func.sum(PrintedCopy.copies), 0))
        .where(PrintedCopy.compilation_id == Compilation.id)
        .scalar_subquery()
    )
    reached = select(func.count()).where(CompilationReach.compilation_id == Compilation.id).scalar_subquery()
    db.session.execute(
        update(Compilation)
        .values(downloads_count=downloads, printed_count=printed, reached_count=reached)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


def record_printed(
    compilation: Compilation,
    *,
    enterprise: Enterprise | None,
    copies: int,
    handed_on: date,
    place: str,
    place_note: str | None,
    actor: User,
) -> PrintedCopy:
    """Record ``copies`` printed copies of this edition handed to ``enterprise``. Staff only. Flushes."""
    if actor is None or not actor.is_staff:
        raise NotAllowed(_("Only park staff record printed copies."))
    if enterprise is None:
        raise Invalid(_("Enter the enterprise's 统一社会信用代码 or its full name."), "enterprise")
    if enterprise.status == "archived":
        raise WrongState(_("%(name)s is archived.", name=enterprise.name), "enterprise")
    if not 1 <= copies <= MAX_COPIES:
        raise Invalid(_("Enter a number of copies from 1 to %(most)d.", most=MAX_COPIES), "copies")
    if handed_on > local_today():
        raise Invalid(_("The date lies in the future."), "handed_on")
    if place not in HANDOUT_PLACES:
        raise Invalid(_("Choose where the copies were handed out."), "place")
    row = PrintedCopy(
        compilation_id=compilation.id,
        enterprise_id=enterprise.id,
        copies=copies,
        handed_on=handed_on,
        place=place,
        place_note=(place_note or "").strip() or None,
        recorded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    _count(compilation.id, enterprise.id, printed=copies)
    db.session.expire(compilation, ["downloads_count", "printed_count", "reached_count"])
    audit.record(
        "library.printed",
        row,
        actor=actor,
        compilation=compilation.title,
        edition=compilation.edition,
        enterprise=enterprise.name,
        copies=copies,
    )
    return row


def find_enterprise(text: str | None) -> Enterprise | None:
    """The enterprise with this 统一社会信用代码 or exactly this name (``None`` when none or several match)."""
    value = (text or "").strip()
    if not value:
        return None
    by_code = db.session.scalar(select(Enterprise).where(Enterprise.uscc == value.upper()))
    if by_code is not None:
        return by_code
    named = db.session.scalars(select(Enterprise).where(Enterprise.name == value).limit(2)).all()
    return named[0] if len(named) == 1 else None


# ---------------------------------------------------------------------------------------------- lists and figures


def catalogue(user, q: str = "", topic: str | None = None, year: int | None = None) -> Select:
    """The compilations ``user`` may see, newest first, matching the search words and filters."""
    query = select(Compilation).where(Compilation.visible_to(user))
    if q:
        query = query.where(contains(q, Compilation.title, Compilation.summary))
    if topic:
        query = query.where(
            exists().where(CompilationTopic.compilation_id == Compilation.id, CompilationTopic.topic == topic)
        )
    if year:
        query = query.where(Compilation.year == year)
    return query.order_by(Compilation.published.desc(), Compilation.created_at.desc(), Compilation.id.desc())


def years(user) -> list[int]:
    """The years of the compilations ``user`` may see, newest first (the year filter's choices)."""
    return list(
        db.session.scalars(
            select(Compilation.year).where(Compilation.visible_to(user)).distinct().order_by(Compilation.year.desc())
        )
    )


@dataclass(frozen=True)
class Figures:
    """A compilation's (or an enterprise's) counted copies."""

    downloads: int = 0
    printed: int = 0
    enterprises: int = 0

    @property
    def distributed(self) -> int:
        """Copies distributed: downloads by enterprises plus printed copies handed out."""
        return self.downloads + self.printed


def figures(compilations: list[Compilation] | list[int]) -> dict[int, Figures]:
    """Downloads by enterprises, printed copies and enterprises reached, per compilation: its kept figures (no
    query for loaded compilations; one for ids)."""
    if compilations and isinstance(compilations[0], int):
        query = select(Compilation).where(Compilation.id.in_(compilations))
        compilations = list(db.session.scalars(query.execution_options(populate_existing=True)))
    return {c.id: Figures(c.downloads_count, c.printed_count, c.reached_count) for c in compilations}


def counted_figures(compilation_ids: list[int]) -> dict[int, Figures]:
    """The same figures counted from the download log and the printed copies (what the kept ones must equal)."""
    if not compilation_ids:
        return {}
    downloads = dict(
        db.session.execute(
            select(Download.compilation_id, func.count())
            .where(Download.compilation_id.in_(compilation_ids), Download.enterprise_id.is_not(None))
            .group_by(Download.compilation_id)
        ).all()
    )
    printed = dict(
        db.session.execute(
            select(PrintedCopy.compilation_id, func.sum(PrintedCopy.copies))
            .where(PrintedCopy.compilation_id.in_(compilation_ids))
            .group_by(PrintedCopy.compilation_id)
        ).all()
    )
    pairs = touches()
    reached = dict(
        db.session.execute(
            select(pairs.c.compilation_id, func.count(pairs.c.enterprise_id))
            .where(pairs.c.compilation_id.in_(compilation_ids))
            .group_by(pairs.c.compilation_id)
        ).all()
    )
    return {
        ident: Figures(int(downloads.get(ident, 0)), int(printed.get(ident, 0) or 0), int(reached.get(ident, 0)))
        for ident in compilation_ids
    }


def touches():
    """Distinct (compilation, enterprise) pairs of every copy that reached an enterprise (downloaded or printed)."""
    return (
        select(Download.compilation_id, Download.enterprise_id)
        .where(Download.enterprise_id.is_not(None))
        .union(select(PrintedCopy.compilation_id, PrintedCopy.enterprise_id))
        .subquery()
    )


def has_copy(compilation_id: int):
    """The condition "this enterprise has the compilation" (downloaded by one of its users, or printed copies), read
    from the kept reach pairs (one key lookup per enterprise)."""
    return exists().where(
        CompilationReach.compilation_id == compilation_id, CompilationReach.enterprise_id == Enterprise.id
    )


def reach(compilation: Compilation, have: bool, q: str = "") -> Select:
    """The roster's enterprises (archived ones aside) that have (or have not) this compilation, by name."""
    query = select(Enterprise).where(Enterprise.status != "archived")
    condition = has_copy(compilation.id)
    query = query.where(condition if have else ~condition)
    if q:
        query = query.where(_enterprise_matches(q))
    return query.order_by(Enterprise.name, Enterprise.id)


def _enterprise_matches(q: str):
    """Enterprises whose name or 统一社会信用代码 contains ``q`` (literally)."""
    return contains(q, Enterprise.name, Enterprise.uscc)


def enterprise_figures(compilation_id: int | None, enterprise_ids: list[int]) -> dict[int, Figures]:
    """Downloads and printed copies per enterprise (of one compilation, or of all when ``None``): two queries."""
    if not enterprise_ids:
        return {}
    download_query = select(Download.enterprise_id, func.count()).where(Download.enterprise_id.in_(enterprise_ids))
    printed_query = select(PrintedCopy.enterprise_id, func.sum(PrintedCopy.copies)).where(
        PrintedCopy.enterprise_id.in_(enterprise_ids)
    )
    if compilation_id is not None:
        download_query = download_query.where(Download.compilation_id == compilation_id)
        printed_query = printed_query.where(PrintedCopy.compilation_id == compilation_id)
    downloads = dict(db.session.execute(download_query.group_by(Download.enterprise_id)).all())
    printed = dict(db.session.execute(printed_query.group_by(PrintedCopy.enterprise_id)).all())
    return {ident: Figures(int(downloads.get(ident, 0)), int(printed.get(ident, 0) or 0)) for ident in enterprise_ids}


def enterprises_with_copies(q: str = "") -> Select:
    """Enterprises that have any compilation, for the per-enterprise figures (by name; page it)."""
    any_copy = exists().where(CompilationReach.enterprise_id == Enterprise.id)
    query = select(Enterprise).where(any_copy)
    if q:
        query = query.where(_enterprise_matches(q))
    return query.order_by(Enterprise.name, Enterprise.id)


def recent_downloads(compilation_id: int, limit: int = 10) -> list[Download]:
    """The latest downloads of a compilation, with who and which enterprise (one query)."""
    return list(
        db.session.scalars(
            select(Download)
            .where(Download.compilation_id == compilation_id)
            .options(joinedload(Download.user), joinedload(Download.enterprise))
            .order_by(Download.created_at.desc(), Download.id.desc())
            .limit(limit)
        )
    )


def printed_copies(compilation_id: int) -> list[PrintedCopy]:
    """The printed-copy records of a compilation, latest first (one query)."""
    return list(
        db.session.scalars(
            select(PrintedCopy)
            .where(PrintedCopy.compilation_id == compilation_id)
            .options(joinedload(PrintedCopy.enterprise))
            .order_by(PrintedCopy.handed_on.desc(), PrintedCopy.id.desc())
        )
    )
