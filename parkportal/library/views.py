"""Views of the library: the public catalogue with active search, a page per compilation, publishing, downloads
(logged), printed copies and the figures staff read. Thin: parse → domain → page or fragment."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from ..core import locking, paging, vocab
from ..core.errors import DomainError
from ..core.parsing import MAX_YEAR, MIN_YEAR, parse_id, parse_int, parse_page
from ..extensions import db
from ..models import Compilation
from ..timeutil import local_today
from ..web import actor, refuse, render, roles_required, upload_limit
from . import bp, service, storage
from .forms import PrintedForm, UploadForm

PER_PAGE = 12
#: Room for the upload form's other fields on top of the file itself.
FORM_OVERHEAD = 256 * 1024
#: Search words longer than this are cut (no title is longer).
MAX_QUERY = 100
#: Enterprises per page of a compilation's reach, and how far its lists are counted ("more than 1,000").
REACH_PER_PAGE = 25
REACH_COUNTED = 1000

CARD_OPTIONS = (selectinload(Compilation.topic_rows), selectinload(Compilation.next_edition))


def _load(compilation_id: int, *options) -> Compilation:
    """The compilation if the visitor may see it (published; staff any; a lawyer their drafts), else 404."""
    found = db.session.scalar(
        select(Compilation)
        .where(Compilation.id == compilation_id, Compilation.visible_to(current_user))
        .options(*options)
    )
    if found is None:
        abort(404)
    return found


def _filters() -> dict:
    """The catalogue's search words and filters from the query string (unusable values are dropped)."""
    topic = request.args.get("topic", "")
    return {
        "q": request.args.get("q", "").strip()[:MAX_QUERY],
        "topic": topic if topic in vocab.TOPICS else "",
        "year": parse_int(request.args.get("year"), MIN_YEAR, MAX_YEAR),
    }


@bp.get("/")
def index():
    """The catalogue: cards with active search over title and summary, topic and year filters, pagination."""
    filters = _filters()
    page = db.paginate(
        service.catalogue(current_user, filters["q"], filters["topic"], filters["year"]).options(*CARD_OPTIONS),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render(
        "library/index.html",
        "results",
        page=page,
        filters=filters,
        years=service.years(current_user),
        figures=service.figures(page.items),
        may_publish=service.may_publish(actor()),
        megabytes=storage.megabytes,
    )


@bp.get("/<int:compilation_id>")
def detail(compilation_id: int):
    """One compilation: its summary and file, the edition it replaces or is replaced by; staff also see figures."""
    compilation = _load(compilation_id, *CARD_OPTIONS, selectinload(Compilation.previous))
    return _detail(compilation)


def _detail(compilation: Compilation, status: int = 200, printed_form: PrintedForm | None = None):
    """The compilation's page (with the printed-copies form, kept when it failed)."""
    user = actor()
    staff = user is not None and user.is_staff
    if printed_form is None and staff:
        printed_form = PrintedForm(formdata=None, handed_on=local_today(), place="station")
        printed_form.enterprise.data = request.args.get("enterprise", "")
    return render(
        "library/detail.html",
        compilation=compilation,
        figures=service.figures([compilation])[compilation.id],
        may_manage=service.may_manage(user, compilation),
        staff=staff,
        downloads=service.recent_downloads(compilation.id) if staff else [],
        printed=service.printed_copies(compilation.id) if staff else [],
        printed_form=printed_form,
        megabytes=storage.megabytes,
        status=status,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required("staff", "lawyer")
@upload_limit(lambda: storage.max_upload_bytes() + FORM_OVERHEAD)  # the library's own limit, with room for fields
def new():
    """Publish a compilation, or a new edition of one (``?previous=ID``): multipart title, edition, summary,
    topics, file, published."""
    form = UploadForm()
    previous = _previous(form.previous_id.data if request.method == "POST" else request.args.get("previous"))
    if request.method == "GET" and previous is not None:
        form.previous_id.data = str(previous.id)
        form.title.data = previous.title
        form.summary.data = previous.summary
        form.topics.data = previous.topics
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                compilation = service.upload(
                    actor=actor(),
                    title=form.title.data,
                    edition=form.edition.data,
                    year=form.year_value,
                    summary=form.summary.data or "",
                    topics=form.topics.data,
                    published=form.published.data,
                    filename=form.file.data.filename,
                    stream=form.file.data.stream,
                    previous=previous,
                )
            except DomainError as error:
                status = refuse(error, lambda code, _message: code, form)
                if isinstance(error, storage.TooLarge):
                    status = 413
            else:
                flash(
                    _("The compilation is published.")
                    if compilation.published
                    else _("The compilation is saved as a draft. Publish it when it is ready."),
                    "success",
                )
                return redirect(url_for("library.detail", compilation_id=compilation.id), code=303)
        else:
            status = 422
    return _upload_page(form, previous, status)


def _previous(value) -> Compilation | None:
    """The edition a new upload replaces (one the user may see), from a form or query value."""
    ident = parse_id(value)
    if ident is None:
        return None
    return db.session.scalar(select(Compilation).where(Compilation.id == ident, Compilation.visible_to(current_user)))


def _upload_page(form: UploadForm, previous: Compilation | None, status: int):
    """The upload form (again, with errors next to the fields)."""
    return render(
        "library/new.html",
        form=form,
        previous=previous,
        limit=storage.megabytes(storage.max_upload_bytes()),
        status=status,
    )


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """An upload over the limit: the form again with a friendly message by the file field (413).

    The request's body is not read, so the other fields can't be kept; the message says so.
    """
    if request.endpoint != "library.new":
        return _error_page(413)
    form = UploadForm(formdata=None)
    form.file.errors = [
        _(
            "The file is larger than %(limit)s. Please choose a smaller file (e.g. a compressed PDF) and fill in the "
            "form again.",
            limit=storage.megabytes(storage.max_upload_bytes()),
        )
    ]
    return _upload_page(form, None, 413)


def _error_page(code: int):
    """The portal's own error page for ``code``."""
    from ..errors import render_error

    return render_error(code)


@bp.post("/<int:compilation_id>/publish")
@roles_required("staff", "lawyer")
def publish(compilation_id: int):
    """Publish the compilation (staff; a lawyer their own)."""
    return _set_published(compilation_id, True)


@bp.post("/<int:compilation_id>/unpublish")
@roles_required("staff", "lawyer")
def unpublish(compilation_id: int):
    """Take the compilation off the catalogue (staff; a lawyer their own); the download log stays."""
    return _set_published(compilation_id, False)


def _set_published(compilation_id: int, published: bool):
    """Publish or unpublish, then back to the compilation's page."""
    compilation = _load(compilation_id)
    try:
        service.set_published(compilation, published, actor())
    except DomainError as error:
        return refuse(error, lambda code, message: _detail(compilation, code))
    flash(_("The compilation is published.") if published else _("The compilation is unpublished."), "success")
    return redirect(url_for("library.detail", compilation_id=compilation_id), code=303)


@bp.get("/<int:compilation_id>/download")
@login_required
def download(compilation_id: int):
    """The file, under its original name; each download is logged (who, which enterprise, when) on its own."""
    compilation = _load(compilation_id)
    path = storage.path_of(compilation.stored_name)
    if not path.is_file():
        current_app.logger.error("library file missing: %s (compilation %s)", path, compilation_id)
        abort(404)
    name, kind, user = compilation.original_name, compilation.kind, actor()
    user_id, enterprise_id = user.id, user.enterprise_id if user.is_enterprise else None
    with locking.write_transaction():
        service.record_download(compilation_id, user_id, enterprise_id)
    return send_file(path, mimetype=MIMETYPES[kind], as_attachment=True, download_name=name, max_age=0)


MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/<int:compilation_id>/cover.png")
def cover(compilation_id: int):
    """The cover image drawn from the PDF's first page at upload (404 when there is none)."""
    compilation = _load(compilation_id)
    if not compilation.cover_name or not storage.cover_path(compilation.cover_name).is_file():
        abort(404)
    return send_file(storage.cover_path(compilation.cover_name), mimetype="image/png", max_age=3600)


@bp.post("/<int:compilation_id>/printed")
@roles_required("staff")
def printed(compilation_id: int):
    """Record printed copies of this edition handed to an enterprise (date, place, number of copies)."""
    compilation = _load(compilation_id, *CARD_OPTIONS, selectinload(Compilation.previous))
    form = PrintedForm()
    if not form.validate():
        return _detail(compilation, 422, form)
    try:
        row = service.record_printed(
            compilation,
            enterprise=service.find_enterprise(form.enterprise.data),
            copies=form.copies_value,
            handed_on=form.handed_on.data,
            place=form.place.data,
            place_note=form.place_note.data,
            actor=actor(),
        )
    except DomainError as error:
        return refuse(error, lambda code, _message: _detail(compilation, code, form), form)
    flash(_("%(copies)d printed copies for %(name)s recorded.", copies=row.copies, name=row.enterprise.name), "success")
    return redirect(url_for("library.detail", compilation_id=compilation_id) + "#printed", code=303)


@bp.get("/<int:compilation_id>/reach")
@roles_required("staff")
def reach(compilation_id: int):
    """Which enterprises have this compilation (downloaded or printed) and which have not: paginated, searchable."""
    compilation = _load(compilation_id)
    have = request.args.get("have", "yes") != "no"
    q = request.args.get("q", "").strip()[:MAX_QUERY]
    page = paging.look_ahead(
        service.reach(compilation, have, q),
        parse_page(request.args.get("page")),
        REACH_PER_PAGE,
        count_up_to=REACH_COUNTED,
    )
    return render(
        "library/reach.html",
        "results",
        compilation=compilation,
        have=have,
        q=q,
        page=page,
        counts=service.enterprise_figures(compilation.id, [e.id for e in page.items]),
        figures=service.figures([compilation])[compilation.id],
    )


@bp.get("/stats")
@roles_required("staff")
def stats():
    """Copies distributed per compilation and per enterprise (downloads and printed copies)."""
    compilations = db.session.scalars(service.catalogue(actor()).options(selectinload(Compilation.next_edition))).all()
    q = request.args.get("q", "").strip()[:MAX_QUERY]
    page = paging.look_ahead(service.enterprises_with_copies(q), parse_page(request.args.get("page")), 25)
    return render(
        "library/stats.html",
        "results",
        compilations=compilations,
        figures=service.figures(compilations),
        page=page,
        q=q,
        counts=service.enterprise_figures(None, [e.id for e in page.items]),
    )
