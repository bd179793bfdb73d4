"""backup DEST / restore SRC: one archive of the database and the stored files, brought back into an empty portal.

Every test runs on the database under test (SQLite, or PostgreSQL with ``PARKPORTAL_TEST_DATABASE_URL``). On
PostgreSQL the portals here live in one schema of the test database, emptied before each new portal: a dump is
restored into a schema of its own name (``pg_restore`` can't rename one), as a restore into a new database would.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import secrets
import stat
import tarfile
import threading
import time
from pathlib import Path

import pytest
from flask_migrate import stamp
from sqlalchemy import MetaData, func, select, text

from parkportal import backup, create_app
from parkportal.cli import ensure_service_types
from parkportal.demo import DEMO_PASSWORD
from parkportal.extensions import db
from parkportal.library import storage
from parkportal.models import Enterprise, User

from . import factories
from .test_cli import assert_clean_failure

#: The one schema the portals of this module use on PostgreSQL (one portal at a time, emptied before each).
SCHEMA = "backup_" + secrets.token_hex(4)


class Portals:
    """Portals on new databases, each with its own library folder under ``folder``: a new SQLite file each, or on
    PostgreSQL the schema ``SCHEMA`` of the test database, emptied for each new portal."""

    def __init__(self, app, folder: Path):
        self.app, self.folder = app, folder
        self.base = app.config["SQLALCHEMY_DATABASE_URI"]
        self.postgres = not self.base.startswith("sqlite")
        self.numbers = itertools.count()
        self.made: list = []

    def make(self, schema_made: bool = True):
        """A portal on a new database: with the schema (made from the models, stamped at the migrations' head) and
        what ``init-db`` loads, or with nothing (``schema_made=False``)."""
        number = next(self.numbers)
        if self.postgres:
            self._empty_schema()
            url = self.base + ("&" if "?" in self.base else "?") + f"options=-csearch_path%3D{SCHEMA}"
        else:
            url = f"sqlite:///{self.folder / f'portal{number}.sqlite3'}"
        config = {key: self.app.config[key] for key in ("TESTING", "WTF_CSRF_ENABLED", "SECRET_KEY")}
        portal = create_app(
            {
                **config,
                "RATELIMIT_ENABLED": False,
                "SQLALCHEMY_DATABASE_URI": url,
                "LIBRARY_STORAGE_DIR": str(self.folder / f"library{number}"),
            }
        )
        self.made.append(portal)
        if schema_made:
            with portal.app_context():
                db.create_all()
                stamp()
                ensure_service_types()
                db.session.commit()
        return portal

    def _empty_schema(self) -> None:
        """Close the portals made so far and make ``SCHEMA`` anew, empty."""
        self._close_portals()
        with self.app.app_context(), db.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))

    def _close_portals(self) -> None:
        """Close the database connections of the portals made so far."""
        for portal in self.made:
            with portal.app_context():
                db.session.remove()
                db.engine.dispose()

    def close(self) -> None:
        """Close every portal made, and drop ``SCHEMA`` on PostgreSQL."""
        self._close_portals()
        if self.postgres:
            with self.app.app_context(), db.engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))


@pytest.fixture
def fresh(app, tmp_path):
    """``fresh()`` makes a portal on a new database with its own empty library folder (``Portals.make``)."""
    portals = Portals(app, tmp_path)
    yield portals.make
    portals.close()


@pytest.fixture(scope="module")
def archive(app, tmp_path_factory) -> Path:
    """A backup of a small portal (an enterprise user, a lawyer and three stored files), made once for the module;
    the tests only read it."""
    portals = Portals(app, tmp_path_factory.mktemp("backup-source"))
    try:
        source = portals.make()
        with source.app_context():
            factories.enterprise_user()
            factories.lawyer()
            db.session.commit()
        add_library_files(source)
        with source.app_context():
            return backup.backup(portals.folder / "small.tar.gz")[0]
    finally:
        portals.close()


@pytest.fixture
def target(make_app, tmp_path):
    """A portal to restore into that must refuse before writing: the test database (emptied for each test, holding
    only what ``init-db`` loads) with a new, empty library folder."""
    return make_app(LIBRARY_STORAGE_DIR=str(tmp_path / "restored-library"))


def every_row(portal) -> dict[str, list[tuple]]:
    """Every row of every table of the portal's database, found by reflection (not from the models), sorted."""
    with portal.app_context():
        metadata = MetaData()
        metadata.reflect(bind=db.engine)
        with db.engine.connect() as connection:
            return {
                name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
                for name, table in sorted(metadata.tables.items())
            }


def schema_objects(portal) -> list[tuple]:
    """The database's tables, indexes, triggers and (PostgreSQL) functions and sequences, with their definitions."""
    with portal.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            query = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
        else:
            query = """
                SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
                UNION ALL SELECT 'trigger', tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t
                  JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = current_schema()::regnamespace
                  AND NOT t.tgisinternal
                UNION ALL SELECT 'function', proname, pg_get_functiondef(p.oid) FROM pg_proc p
                  WHERE p.pronamespace = current_schema()::regnamespace
                UNION ALL SELECT 'sequence', sequencename, last_value::text FROM pg_sequences
                  WHERE schemaname = current_schema()
                ORDER BY 1, 2"""
        return [tuple(row) for row in connection.execute(text(query))]


def row_counts(portal) -> dict[str, int]:
    """How many rows each table of the models holds in the portal's database (quicker than ``every_row``)."""
    with portal.app_context():
        with db.engine.connect() as connection:
            return {
                table.name: connection.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables
            }


def stored_files(portal) -> dict[str, bytes]:
    """Every file of the portal's library folder, by its path in the folder."""
    with portal.app_context():
        folder = storage.folder()
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def add_library_files(portal) -> None:
    """Two stored files and a cover in the portal's library folder (the backup copies files, whatever they hold)."""
    with portal.app_context():
        folder = storage.folder()
    (folder / "covers").mkdir(parents=True)
    (folder / f"{secrets.token_hex(16)}.pdf").write_bytes(b"%PDF-1.7\n" + secrets.token_bytes(5000) + b"\n%%EOF\n")
    (folder / f"{secrets.token_hex(16)}.docx").write_bytes(b"PK\x03\x04" + secrets.token_bytes(3000))
    (folder / "covers" / f"{secrets.token_hex(16)}.png").write_bytes(b"\x89PNG" + secrets.token_bytes(800))


def run(portal, *args: str):
    """Run a command of the portal's command line."""
    return portal.test_cli_runner().invoke(args=list(args))


def is_empty(portal) -> bool:
    """No table of the portal's database holds a row and its library folder holds no file."""
    return not any(every_row(portal).values()) and not stored_files(portal)


def refused(portal, archive: Path, *words: str) -> None:
    """``restore`` of ``archive`` into ``portal`` fails cleanly with ``words`` in its message and writes nothing:
    the database's rows and the library's files are as they were, and no unpacked files are left beside it."""
    rows, files = row_counts(portal), stored_files(portal)
    assert_clean_failure(run(portal, "restore", str(archive)), *words)
    assert row_counts(portal) == rows and stored_files(portal) == files
    with portal.app_context():
        beside = storage.folder().parent
    assert [path.name for path in beside.iterdir() if "restoring" in path.name] == []


# -- the round trip --------------------------------------------------------------------------------------------


def test_backup_and_restore_bring_back_every_row_and_file(fresh, tmp_path):
    """A backup of the demo park restored into an empty database and library folder gives every table's rows and
    every stored file back, byte for byte; the restored portal signs in and adds rows after the restored ones."""
    source = fresh()
    with source.app_context():
        from parkportal import demo

        demo.seed()
        db.session.commit()
    rows, files, schema = every_row(source), stored_files(source), schema_objects(source)
    assert any(kind == "trigger" for kind, *_ in schema)
    assert len(rows["enterprise"]) == 84 and any(name.startswith("covers/") for name in files) and len(files) > 4

    (tmp_path / "backups").mkdir()
    result = run(source, "backup", str(tmp_path / "backups"))
    assert result.exit_code == 0, result.output
    archive = Path(result.output.strip().splitlines()[-1])
    assert archive.parent == tmp_path / "backups" and archive.name.endswith(".tar.gz")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    target = fresh(schema_made=False)
    assert is_empty(target)
    result = run(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output and f"{len(files)} stored files" in result.output
    assert every_row(target) == rows
    assert schema_objects(target) == schema
    assert stored_files(target) == files

    client = target.test_client()
    assert (
        client.post("/auth/login", data={"email": "demo@jiangnan-zhizao.com", "password": DEMO_PASSWORD}).status_code
        == 303
    )
    with target.app_context():
        newest = max(row[0] for row in rows["enterprise"])
        assert factories.enterprise().id == newest + 1  # PostgreSQL's sequences came back too


def test_the_manifest_names_version_revision_kind_and_each_member(fresh, tmp_path):
    """The archive's last member is a manifest with the portal's version, the schema revision, the database kind,
    when it was made and each member's size and SHA-256."""
    source = fresh()
    add_library_files(source)
    with source.app_context():
        path, manifest = backup.backup(tmp_path / "nightly")
        kind, head = db.engine.dialect.name, backup.schema_head()
    assert path == tmp_path / "nightly.tar.gz"
    with tarfile.open(path) as archive:
        names = archive.getnames()
        body = json.loads(archive.extractfile("manifest.json").read())
        contents = {name: archive.extractfile(name).read() for name in names if name != "manifest.json"}
    assert names[-1] == "manifest.json" and names[0] == backup.DATABASE_MEMBERS[kind]
    assert body["format"] == "parkportal-backup" and body["portal_version"] == backup.portal_version()
    assert (body["alembic_revision"], body["database"]) == (head, kind)
    assert body["created_at"].endswith("Z")
    assert {item["name"]: (item["size"], item["sha256"]) for item in body["members"]} == {
        name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in contents.items()
    }
    assert {name for name in names if name.startswith("library/")} == {
        f"library/{name}" for name in stored_files(source)
    }
    assert backup.Manifest.from_json(json.dumps(body).encode()) == manifest


def test_a_backup_taken_while_another_thread_writes_is_consistent(fresh, tmp_path):
    """A backup taken while another thread commits enterprises with their user, one pair per transaction, holds
    every pair committed before it began, none half, and not those committed after it ended."""
    source = fresh()
    started, commits, stop, failures = [0], [0], threading.Event(), []

    def write():
        """Commit an enterprise and its user per transaction until told to stop, counting commits begun and done."""
        try:
            with source.app_context():
                while not stop.is_set():
                    factories.enterprise_user()
                    started[0] += 1
                    db.session.commit()
                    commits[0] += 1
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while commits[0] < 20 and writer.is_alive():
            time.sleep(0.01)
        before = commits[0]  # done before the backup began: in it
        with source.app_context():
            path, _manifest = backup.backup(tmp_path / "live")
        after = started[0]  # begun after the backup ended: not in it
        while commits[0] < after + 3 and writer.is_alive():
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join(60)
    assert not failures, failures
    written = commits[0]

    target = fresh(schema_made=False)
    with target.app_context():
        backup.restore(path)
        enterprises = db.session.scalar(select(func.count()).select_from(Enterprise))
        users = db.session.scalar(select(func.count()).select_from(User))
        alone = db.session.scalar(select(func.count()).select_from(Enterprise).where(~Enterprise.users.any()))
    assert enterprises == users and alone == 0
    assert before <= enterprises <= after < written


# -- what restore refuses ----------------------------------------------------------------------------------------


def rewritten(path: Path, change, out: Path) -> Path:
    """A copy of the archive at ``out`` with ``change(members, manifest)`` applied to its members (name → bytes,
    in order) and its manifest (a dict), both changed in place."""
    with tarfile.open(path) as archive:
        members = {info.name: archive.extractfile(info).read() for info in archive.getmembers()}
    manifest = json.loads(members.pop("manifest.json"))
    change(members, manifest)
    if manifest is not None:
        members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(out, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out


def first_file(members: dict) -> str:
    """The name of the archive's first stored file."""
    return next(name for name in members if name.startswith("library/"))


def change_a_byte(members, _manifest):
    """Flip a byte of a stored file (the manifest keeps its checksum)."""
    name = first_file(members)
    members[name] = bytes([members[name][0] ^ 1]) + members[name][1:]


def drop_a_file(members, _manifest):
    """Leave a stored file out (the manifest still lists it)."""
    del members[first_file(members)]


def add_a_file(members, _manifest):
    """Add a file the manifest doesn't list."""
    members["library/extra.pdf"] = b"%PDF-1.7"


def add_an_escape(members, manifest):
    """Add a member whose path leaves the library folder, listed in the manifest."""
    members["library/../../escaped.txt"] = b"x"
    manifest["members"].append({"name": "library/../../escaped.txt", "size": 1, "sha256": "0" * 64})


def other_kind(members, manifest):
    """Make the archive one of the other database kind (its database member named as that kind's)."""
    kind = manifest["database"]
    other = "postgresql" if kind == "sqlite" else "sqlite"
    data = members.pop(backup.DATABASE_MEMBERS[kind])
    members[backup.DATABASE_MEMBERS[other]] = data
    for member in manifest["members"]:
        if member["name"] == backup.DATABASE_MEMBERS[kind]:
            member["name"] = backup.DATABASE_MEMBERS[other]
    manifest["database"] = other


def other_revision(_members, manifest):
    """Say the archive is of the schema's first revision."""
    manifest["alembic_revision"] = "0001"


def no_manifest(_members, manifest):
    """Leave the manifest out."""
    manifest.clear()


def not_a_manifest(_members, manifest):
    """A manifest of some other program."""
    manifest.clear()
    manifest["hello"] = "world"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (change_a_byte, ["doesn't match its size and SHA-256", "nothing was restored"]),
        (drop_a_file, ["which its manifest lists"]),
        (add_a_file, ["library/extra.pdf", "which its manifest doesn't list"]),
        (add_an_escape, ["is not a portal backup", "escaped.txt"]),
        (other_kind, ["this backup is of a", "the portal is configured for"]),
        (other_revision, ["revision 0001", "restore it with the portal version that made it"]),
        (not_a_manifest, ["not the manifest of a portal backup"]),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_restore_refuses_a_changed_or_foreign_archive(archive, target, tmp_path, change, words):
    """An archive whose members don't match its manifest, that leaves its folder, or that is of another database
    kind or schema revision is refused with a message; nothing is written to the database or the library."""
    refused(target, rewritten(archive, change, tmp_path / "changed.tar.gz"), *words)
    assert not list(tmp_path.parent.glob("escaped.txt")) and not list(tmp_path.glob("escaped.txt"))


def test_restore_refuses_an_archive_without_a_manifest(archive, target, tmp_path):
    """An archive without its manifest (cut short at a member's end) is refused as truncated."""
    with tarfile.open(archive) as whole:
        members = [
            (info, whole.extractfile(info).read()) for info in whole.getmembers() if info.name != "manifest.json"
        ]
    cut = tmp_path / "cut.tar.gz"
    with tarfile.open(cut, "w:gz") as out:
        for info, data in members:
            out.addfile(info, io.BytesIO(data))
    refused(target, cut, "has no manifest", "truncated")


@pytest.mark.parametrize("damage", ["missing", "folder", "empty", "not-an-archive", "truncated", "gzip-of-text"])
def test_restore_refuses_what_is_no_archive(archive, target, tmp_path, damage):
    """A missing file, a folder, an empty file, other bytes and a truncated archive are refused with a message and
    a non-zero exit, never a traceback; nothing is written."""
    path = tmp_path / f"{damage}.tar.gz"
    if damage == "folder":
        path.mkdir()
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "not-an-archive":
        path.write_bytes(secrets.token_bytes(4000))
    elif damage == "truncated":
        data = archive.read_bytes()
        path.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "gzip-of-text":
        import gzip

        path.write_bytes(gzip.compress(b"just some text\n" * 100))
    words = {"missing": ["no such file"], "folder": ["is a folder"]}.get(damage, ["not a portal backup"])
    refused(target, path, *words)


def test_restore_refuses_a_database_with_rows(archive, target):
    """A database whose tables hold rows is refused (naming them); nothing changes."""
    with target.app_context():
        factories.staff()
        db.session.commit()
    refused(target, archive, "the database is not empty", "user_account")


def test_restore_refuses_a_library_folder_with_files(archive, target):
    """A library folder holding a file is refused, even when the database is empty; nothing is written."""
    with target.app_context():
        folder = storage.folder()
    (folder / "covers").mkdir(parents=True)
    (folder / "covers" / "left.png").write_bytes(b"left over")
    refused(target, archive, "the library folder", "holds 1 files")
    assert stored_files(target) == {"covers/left.png": b"left over"}


def test_restore_into_a_database_holding_only_what_init_db_loads_works(archive, fresh):
    """A database holding only what ``init-db`` makes (its schema and revision, the catalogue of services, the
    coverage stamp) counts as empty: the backup replaces it."""
    made = fresh()
    assert {name for name, rows in every_row(made).items() if rows} == backup.MADE_BY_INIT_DB
    result = run(made, "restore", str(archive))
    assert result.exit_code == 0, result.output
    with made.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 2
    assert len(stored_files(made)) == 3


# -- what backup refuses -------------------------------------------------------------------------------------------


def test_backup_never_overwrites(archive, target):
    """A DEST that exists (as given, or with the extension added) is refused and left as it was."""
    source = target
    before = archive.read_bytes()
    for dest in (archive, archive.with_name("small")):
        assert_clean_failure(run(source, "backup", str(dest)), "exists already")
    assert archive.read_bytes() == before


@pytest.mark.parametrize("where", ["missing-folder", "missing-folder/", "under-a-file", "unwritable"])
def test_backup_refuses_a_place_it_cannot_write(target, tmp_path, where):
    """A DEST in a folder that doesn't exist, under a file, or where nothing may be written is refused with a
    message; no file is left behind."""
    (tmp_path / "a-file").write_text("x")
    if where == "unwritable":
        if not Path("/proc/self").is_dir():
            pytest.skip("needs Linux's /proc, where no one may create files")
        dest = "/proc/parkportal-backup"
    else:
        places = {"missing-folder": "nowhere/backup", "missing-folder/": "nowhere/", "under-a-file": "a-file/backup"}
        dest = f"{tmp_path}/{places[where]}"
    result = run(target, "backup", dest)
    assert_clean_failure(result, "can't write in /proc" if where == "unwritable" else "is not a folder")
    assert [path.name for path in tmp_path.iterdir()] == ["a-file"]


# -- PostgreSQL's programs -------------------------------------------------------------------------------------


def fake_tool(folder: Path, name: str, version: str) -> str:
    """A stand-in PostgreSQL program in ``folder`` that reports ``version``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f'#!/bin/sh\necho "{name} (PostgreSQL) {version} (Debian)"\n')
    path.chmod(0o755)
    return str(path)


def test_pg_dump_of_the_servers_version_is_preferred(tmp_path, monkeypatch):
    """pg_dump is found on PATH or under /usr/lib/postgresql/*/bin: the server's version first, else the oldest
    newer one; an older one only is refused, naming the package to install."""
    on_path = fake_tool(tmp_path / "bin", "pg_dump", "17.2")
    fifteen = fake_tool(tmp_path / "lib" / "15" / "bin", "pg_dump", "15.18")
    sixteen = fake_tool(tmp_path / "lib" / "16" / "bin", "pg_dump", "16.4")
    monkeypatch.setattr(backup.shutil, "which", lambda name: on_path)
    monkeypatch.setattr(backup, "POSTGRES_BIN_GLOB", str(tmp_path / "lib" / "*" / "bin"))
    assert backup.find_tool("pg_dump", 15) == fifteen
    assert backup.find_tool("pg_dump", 16) == sixteen
    assert backup.find_tool("pg_dump", 14) == fifteen
    assert backup.find_tool("pg_dump", 17) == on_path
    with pytest.raises(backup.BackupError, match="pg_dump 18 or newer is needed.*postgresql-client-18"):
        backup.find_tool("pg_dump", 18)


def test_a_missing_pg_dump_is_said_clearly(tmp_path, monkeypatch):
    """Without pg_dump anywhere, the message says so and what to install."""
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup, "POSTGRES_BIN_GLOB", str(tmp_path / "*" / "bin"))
    with pytest.raises(backup.BackupError, match=r"pg_dump 15 or newer is needed.*found: none.*postgresql-client-15"):
        backup.find_tool("pg_dump", 15)


def test_the_password_reaches_postgresql_programs_in_their_environment_only():
    """PostgreSQL's programs get the password in PGPASSWORD, never in their arguments (which ``ps`` shows)."""
    from sqlalchemy import make_url

    url = make_url("postgresql+psycopg://portal:s3cr%40t@db.internal:5433/parkportal?options=-csearch_path%3Dpark")
    conninfo, env = backup.libpq(url)
    assert "s3cr" not in conninfo and env["PGPASSWORD"] == "s3cr@t"
    assert conninfo == "postgresql://portal@db.internal:5433/parkportal?options=-csearch_path%3Dpark"


def test_backup_runs_pg_dump_without_the_password_in_its_arguments(fresh, tmp_path, monkeypatch):
    """On PostgreSQL the backup runs pg_dump (custom format, the portal's schema) with the password only in its
    environment."""
    source = fresh()
    with source.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")
        password = db.engine.url.password
    calls = []
    real = backup.subprocess.run

    def spy(args, **options):
        """Record what is run, then run it."""
        calls.append((args, options.get("env") or {}))
        return real(args, **options)

    monkeypatch.setattr(backup.subprocess, "run", spy)
    with source.app_context():
        backup.backup(tmp_path / "spied")
    dumps = [(args, env) for args, env in calls if Path(args[0]).name == "pg_dump" and "--version" not in args]
    assert len(dumps) == 1
    args, env = dumps[0]
    assert "--format=custom" in args and any(arg.startswith("--schema=") for arg in args)
    assert not any(f":{password}@" in arg for arg in args) and env.get("PGPASSWORD") == password
