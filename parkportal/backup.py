"""Backups: ``backup(dest)`` writes one archive of the database and the stored files; ``restore(src)`` brings one
back into an empty database and an empty library folder.

The archive is a gzipped tar (mode 0600: it holds everything the portal knows), its members in this order:

- ``database.sqlite3`` — SQLite: a copy made through SQLite's online backup API, one consistent snapshot while
  writers go on (WAL), or ``database.pgdump`` — PostgreSQL: ``pg_dump --format=custom`` of the portal's schema
  (one snapshot too; the password goes to ``pg_dump`` in its environment, never on its command line);
- ``library/…`` — the library's stored files (compilations and their covers) as they lie under
  ``LIBRARY_STORAGE_DIR``;
- ``manifest.json``, last — the portal's version, the schema's Alembic revision, the database kind (and, for
  PostgreSQL, the schema), when it was made, and each other member's size and SHA-256.

The database is copied first, then the files: a stored file is never changed or removed once the row naming it
has committed, so every file the copied database names is in the archive (files of uploads committed after the
snapshot may be there too, named by no row).

Left out on purpose: ``instance/config.py`` and the environment (the secret key and mail password: keep them
apart from the data) and ``instance/roster/`` (uploaded rosters wait there a day between preview and import).

``restore`` refuses a target database with rows in any table and a library folder holding files, then unpacks
the archive beside the library folder while checking every member against the manifest, refuses an archive of
another database kind or schema revision, loads the database (SQLite's backup API; ``pg_restore`` in one
transaction) and only then moves the files into place. A refusal writes nothing to the database or the folder.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO

from flask import current_app
from sqlalchemy import Connection, Engine, inspect, literal, select, table, text
from sqlalchemy.engine import URL

from .extensions import db
from .library import storage
from .timeutil import UTC, utcnow

FORMAT = "parkportal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
#: The database member's name, per database kind.
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
LIBRARY = "library"
SUFFIXES = (".tar.gz", ".tgz")
#: Where Debian and Ubuntu install each PostgreSQL version's programs (beside what ``PATH`` finds).
POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin"
#: A manifest larger than this is no manifest of ours.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
#: How long ``pg_dump`` waits for a table lock (e.g. held by a migration) before giving up, in milliseconds.
LOCK_WAIT_MS = 60_000
CHUNK = 1024 * 1024
#: Tables whose rows ``init-db`` makes by itself (the schema's revision, the coverage stamp, the service catalogue):
#: a database holding rows only in these is as empty as a new one, and the restore replaces them.
MADE_BY_INIT_DB = frozenset({"alembic_version", "coverage_version", "service_type"})
#: Entries of a ``pg_restore --list`` that create or comment the schema itself, which the target already has.
SCHEMA_ENTRY = re.compile(r"^\s*\d+;\s+\d+\s+\d+\s+(?:SCHEMA - |COMMENT - SCHEMA |ACL - SCHEMA )")


class BackupError(Exception):
    """A backup or restore that can't go ahead; ``message`` says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Member:
    """One file of the archive: its name in the archive, size in bytes and SHA-256 (hex)."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What an archive holds and what made it."""

    portal_version: str
    alembic_revision: str | None
    database: str
    schema: str | None
    created_at: str
    members: tuple[Member, ...]

    @property
    def files(self) -> int:
        """How many stored files (members besides the database)."""
        return sum(1 for member in self.members if member.name.startswith(f"{LIBRARY}/"))

    def to_json(self) -> bytes:
        """The manifest as the archive stores it (UTF-8 JSON, with the format's name and version)."""
        body = {"format": FORMAT, "format_version": FORMAT_VERSION, **asdict(self)}
        return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """Read a stored manifest; ``BackupError`` when it is not one of this format."""
        try:
            body = json.loads(data.decode("utf-8"))
            if body.get("format") != FORMAT:
                raise ValueError("not our format")
            if body.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"the archive's manifest is of format version {body.get('format_version')!r}; this portal reads "
                    f"version {FORMAT_VERSION}: restore it with the portal version that made it "
                    f"({body.get('portal_version', 'unknown')})"
                )
            members = tuple(
                Member(name=str(item["name"]), size=int(item["size"]), sha256=str(item["sha256"]))
                for item in body["members"]
            )
            return cls(
                portal_version=str(body["portal_version"]),
                alembic_revision=body["alembic_revision"],
                database=str(body["database"]),
                schema=body.get("schema"),
                created_at=str(body["created_at"]),
                members=members,
            )
        except BackupError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupError("the archive's manifest.json is not the manifest of a portal backup") from error


# ------------------------------------------------------------------------------------------------------- backup


def archive_path(dest: str | Path, now: datetime) -> Path:
    """Where ``backup DEST`` writes: inside DEST under a name dated ``now`` (UTC) when DEST is a folder, else DEST,
    with ``.tar.gz`` added when it doesn't end in ``.tar.gz`` or ``.tgz``. A DEST ending in ``/`` must be a folder."""
    path = Path(dest).expanduser()
    if path.is_dir():
        return path / f"parkportal-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    if str(dest).endswith(("/", os.sep)):
        raise BackupError(f"{path} is not a folder: create it first, or choose another place")
    if path.name.endswith(SUFFIXES):
        return path
    return path.with_name(path.name + SUFFIXES[0])


def backup(dest: str | Path) -> tuple[Path, Manifest]:
    """Write one archive of the database and the stored files at (or as) ``dest``; returns its path and manifest.

    Never overwrites: an existing archive is refused, and the archive appears under its name only when complete.
    """
    engine = db.engine
    kind = database_kind(engine)
    started = utcnow().astimezone(UTC)
    target = archive_path(dest, started)
    if target.exists():
        raise BackupError(f"{target} exists already; choose another name (a backup never overwrites a file)")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder: create it first, or choose another place")
    try:
        work = tempfile.TemporaryDirectory(dir=target.parent, prefix=".parkportal-backup-")
    except OSError as error:
        raise BackupError(f"can't write in {target.parent}: {error.strerror}") from None
    with work as folder:
        dump = Path(folder) / DATABASE_MEMBERS[kind]
        if kind == "sqlite":
            revision, schema = _copy_sqlite(engine, dump), None
        else:
            revision, schema = _dump_postgres(engine, dump)
        partial = Path(folder) / "archive.partial"
        try:
            with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
                with tarfile.open(fileobj=out, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as archive:
                    members = [_add(archive, dump, dump.name)]
                    members += [_add(archive, path, name) for path, name in _stored_files()]
                    manifest = Manifest(
                        portal_version=portal_version(),
                        alembic_revision=revision,
                        database=kind,
                        schema=schema,
                        created_at=started.isoformat(timespec="seconds").replace("+00:00", "Z"),
                        members=tuple(member for member in members if member is not None),
                    )
                    data = manifest.to_json()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mode, info.mtime = len(data), 0o600, int(started.timestamp())
                    archive.addfile(info, io.BytesIO(data))
            _publish(partial, target)
        except OSError as error:
            raise BackupError(f"could not write the backup in {target.parent}: {error.strerror or error}") from None
    return target, manifest


def database_kind(engine: Engine) -> str:
    """``sqlite`` or ``postgresql``; ``BackupError`` for a database the backups don't know."""
    kind = engine.dialect.name
    if kind not in DATABASE_MEMBERS:
        raise BackupError(f"backups know SQLite and PostgreSQL, not {kind}")
    if kind == "sqlite" and engine.url.database in (None, "", ":memory:"):
        raise BackupError("the database is in memory: there is no file to back up or restore into")
    return kind


def portal_version() -> str:
    """The installed portal's version (``pyproject.toml``)."""
    try:
        return metadata.version("parkportal")
    except metadata.PackageNotFoundError:  # pragma: no cover - the portal is installed by make setup
        return "unknown"


def schema_head() -> str | None:
    """The Alembic revision this portal's migrations lead to."""
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


def _revision(connection: Connection) -> str | None:
    """The schema's Alembic revision, ``None`` when the database was not made by the migrations."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.scalar(text("SELECT version_num FROM alembic_version"))


def _copy_sqlite(engine: Engine, out: Path) -> str | None:
    """Copy the live SQLite database to ``out`` with the online backup API; returns the copy's schema revision."""
    path = Path(engine.url.database)
    if not path.is_file():
        raise BackupError(f"the database file {path} doesn't exist")
    try:
        with closing(sqlite3.connect(path, timeout=30)) as source, closing(sqlite3.connect(out)) as copy:
            source.backup(copy)  # one step: a consistent snapshot; WAL lets writers go on meanwhile
            copy.execute("PRAGMA journal_mode=DELETE").fetchall()  # one self-contained file
            found = copy.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            row = copy.execute("SELECT version_num FROM alembic_version").fetchone() if found else None
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy {path}: {error}") from None
    return row[0] if row else None


def _dump_postgres(engine: Engine, out: Path) -> tuple[str | None, str]:
    """``pg_dump`` the portal's schema to ``out`` (custom format); returns its schema revision and the schema."""
    schema, major, revision = _postgres_facts(engine)
    tool = find_tool("pg_dump", major)
    conninfo, env = libpq(engine.url)
    _run(
        [
            tool,
            "--format=custom",
            f"--schema={quote_ident(schema)}",
            "--no-password",
            f"--lock-wait-timeout={LOCK_WAIT_MS}",
            f"--file={out}",
            f"--dbname={conninfo}",
        ],
        env,
    )
    if _postgres_facts(engine)[2] != revision:
        raise BackupError("the schema changed while the backup ran (a migration?); run the backup again")
    return revision, schema


def _postgres_facts(engine: Engine) -> tuple[str, int, str | None]:
    """The connection's schema, the server's major version and the schema's revision."""
    with engine.connect() as connection:  # database trouble: the command line's one line (cli.py)
        schema = connection.scalar(text("SELECT current_schema()"))
        version = int(connection.scalar(text("SELECT current_setting('server_version_num')")))
        revision = _revision(connection)
    if schema is None:
        raise BackupError("the database connection has no schema (its search_path names none that exists)")
    return schema, version // 10000, revision


def quote_ident(name: str) -> str:
    """A name in double quotes, as PostgreSQL's programs read an exact (not a pattern) name."""
    return '"' + name.replace('"', '""') + '"'


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The connection string for PostgreSQL's programs (without the password) and their environment (with it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    bare = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    conninfo = bare.render_as_string(hide_password=False)
    return conninfo, env


def find_tool(name: str, server_major: int) -> str:
    """``pg_dump`` or ``pg_restore`` for a server of version ``server_major``: on ``PATH`` or under
    ``POSTGRES_BIN_GLOB``, the one of the server's version if there is one, else the oldest newer one."""
    found: dict[str, int] = {}
    for path in [shutil.which(name), *sorted(glob.glob(os.path.join(POSTGRES_BIN_GLOB, name)))]:
        if path and path not in found and (major := _tool_major(path)) is not None:
            found[path] = major
    for path, major in sorted(found.items(), key=lambda item: (item[1] != server_major, item[1])):
        if major >= server_major:
            return path
    seen = ", ".join(f"{path} ({major})" for path, major in found.items()) or "none"
    raise BackupError(
        f"{name} {server_major} or newer is needed for this PostgreSQL {server_major} server; none was found on "
        f"PATH or under {POSTGRES_BIN_GLOB} (found: {seen}). Install PostgreSQL's client programs "
        f"(Debian: apt install postgresql-client-{server_major})"
    )


def _tool_major(path: str) -> int | None:
    """The major version a PostgreSQL program reports (``pg_dump (PostgreSQL) 15.18 …`` → 15), ``None`` if none."""
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", done.stdout)
    return int(match[1]) if done.returncode == 0 and match else None


def _run(args: list[str], env: dict[str, str]) -> str:
    """Run a PostgreSQL program; its output, or ``BackupError`` with what it said on failure."""
    program = Path(args[0]).name
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, errors="replace", check=False)
    except OSError as error:
        raise BackupError(f"could not run {args[0]}: {error.strerror}") from None
    if done.returncode != 0:
        said = done.stderr.strip() or f"exit status {done.returncode}"
        raise BackupError(f"{program} failed: {said}")
    return done.stdout


def _stored_files() -> Iterator[tuple[Path, str]]:
    """Each stored file of the library, with its name in the archive (files being written, ``*.part``, not)."""
    folder = storage.folder()
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.name.endswith(".part"):
            yield path, f"{LIBRARY}/{path.relative_to(folder).as_posix()}"


class _Hashing:
    """A reader that hashes what passes through it."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        """Read from the stream, hashing it."""
        chunk = self.stream.read(size)
        self.digest.update(chunk)
        return chunk


def _add(archive: tarfile.TarFile, path: Path, name: str) -> Member | None:
    """Add one file to the archive, hashing it on the way; ``None`` when it was removed meanwhile (the file of an
    upload that rolled back)."""
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, after tarfile has read it
    except FileNotFoundError:
        return None
    with stream:
        status = os.fstat(stream.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = status.st_size, 0o600, int(status.st_mtime)
        reader = _Hashing(stream)
        archive.addfile(info, reader)  # type: ignore[arg-type]
    return Member(name=name, size=info.size, sha256=reader.digest.hexdigest())


def _publish(partial: Path, target: Path) -> None:
    """Give the finished archive its name, unless a file took that name meanwhile."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise BackupError(f"{target} exists already; choose another name") from None
    except OSError:  # a file system without hard links
        if target.exists():
            raise BackupError(f"{target} exists already; choose another name") from None
        os.replace(partial, target)


# ------------------------------------------------------------------------------------------------------ restore


def restore(src: str | Path) -> Manifest:
    """Bring the archive at ``src`` back into the configured (empty) database and library folder."""
    source = Path(src).expanduser()
    if not source.is_file():
        raise BackupError(f"{source}: {'is a folder, not a backup' if source.is_dir() else 'no such file'}")
    engine = db.engine
    kind = database_kind(engine)
    refuse_unless_empty(engine)
    folder = storage.folder()
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-restoring-"))
    except OSError as error:
        raise BackupError(f"can't write beside the library folder {folder}: {error.strerror}") from None
    try:
        manifest = unpack(source, staging)
        check_compatible(manifest, engine)
        dump = staging / DATABASE_MEMBERS[kind]
        if kind == "sqlite":
            _restore_sqlite(engine, dump)
        else:
            _restore_postgres(engine, dump, staging)
        _move_files(staging / LIBRARY, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        engine.dispose()
    return manifest


def refuse_unless_empty(engine: Engine) -> None:
    """``BackupError`` when a table of the database holds a row (besides those ``init-db`` makes) or the library
    folder holds a file."""
    full = [name for name in _tables_with_rows(engine) if name not in MADE_BY_INIT_DB]
    if full:
        shown = ", ".join(full[:5]) + (" …" if len(full) > 5 else "")
        raise BackupError(
            f"the database is not empty: {len(full)} of its tables hold rows ({shown}). A backup is restored only "
            "into an empty database: create a new one (or drop this one's tables) and point DATABASE_URL at it"
        )
    folder = storage.folder()
    files = [path for path in folder.rglob("*") if not path.is_dir()] if folder.is_dir() else []
    if files:
        raise BackupError(
            f"the library folder {folder} holds {len(files)} files. A backup is restored only into an empty folder: "
            "set LIBRARY_STORAGE_DIR to a new one (or empty this one)"
        )


def _tables_with_rows(engine: Engine) -> list[str]:
    """The tables of the database (of its schema, on PostgreSQL) that hold a row; none for a SQLite file not made
    yet (the restore makes it)."""
    if engine.dialect.name == "sqlite" and not Path(engine.url.database).exists():
        if not Path(engine.url.database).parent.is_dir():
            raise BackupError(f"the folder of the database file {engine.url.database} doesn't exist: create it first")
        return []
    with engine.connect() as connection:  # database trouble: the command line's one line (cli.py)
        names = inspect(connection).get_table_names()
        return [name for name in names if connection.execute(select(literal(1)).select_from(table(name))).first()]


def unpack(source: Path, into: Path) -> Manifest:
    """Unpack the archive's members under ``into``, checking each against the manifest; returns the manifest.

    ``BackupError`` for what isn't a portal backup, a truncated or damaged archive, and a member whose size or
    SHA-256 differs from the manifest's (or that the manifest doesn't list, or lists and the archive lacks).
    """
    found: dict[str, Member] = {}
    data: bytes | None = None
    try:
        with tarfile.open(source, mode="r|*") as archive:
            for info in archive:
                if info.name == MANIFEST and info.isfile() and info.size <= MAX_MANIFEST_BYTES and data is None:
                    data = archive.extractfile(info).read()  # type: ignore[union-attr]
                    continue
                relative = _member_path(source, info)
                found[info.name] = _extract(archive, info, into / relative)
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise BackupError(f"{source} is not a portal backup, or it is truncated or damaged ({error})") from None
    except OSError as error:
        raise BackupError(f"can't read {source}: {error.strerror or error}") from None
    if data is None:
        raise BackupError(f"{source} has no manifest: it is truncated, or not a portal backup")
    manifest = Manifest.from_json(data)
    listed = {member.name: member for member in manifest.members}
    if missing := sorted(listed.keys() - found.keys()):
        raise BackupError(f"{source} lacks {missing[0]}, which its manifest lists: the archive is incomplete")
    if extra := sorted(found.keys() - listed.keys()):
        raise BackupError(f"{source} holds {extra[0]}, which its manifest doesn't list: the archive was changed")
    for name, member in listed.items():
        if found[name] != member:
            raise BackupError(
                f"{name} in {source} doesn't match its size and SHA-256 in the manifest: the archive is damaged or "
                "was changed; nothing was restored"
            )
    if DATABASE_MEMBERS.get(manifest.database) not in found:
        raise BackupError(f"{source} holds no database of the kind its manifest names ({manifest.database})")
    return manifest


def _member_path(source: Path, info: tarfile.TarInfo) -> PurePosixPath:
    """Where a member goes under the staging folder; ``BackupError`` for anything a backup doesn't hold (links,
    folders, absolute paths, ``..``, other names)."""
    path = PurePosixPath(info.name)
    plain = info.isreg() and not path.is_absolute() and ".." not in path.parts and "\\" not in info.name
    if plain and (info.name in DATABASE_MEMBERS.values() or (len(path.parts) > 1 and path.parts[0] == LIBRARY)):
        return path
    raise BackupError(f"{source} is not a portal backup: it holds {info.name!r}")


def _extract(archive: tarfile.TarFile, info: tarfile.TarInfo, target: Path) -> Member:
    """Write one member to ``target``, hashing it; its name, size and SHA-256 as read."""
    stream = archive.extractfile(info)
    assert stream is not None  # a regular file (checked by _member_path)
    digest, size = hashlib.sha256(), 0
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except FileExistsError:
        raise BackupError(f"the archive holds {info.name} twice: it is not a portal backup") from None
    except OSError as error:
        raise BackupError(f"could not write {target}: {error.strerror or error}") from None
    return Member(name=info.name, size=size, sha256=digest.hexdigest())


def check_compatible(manifest: Manifest, engine: Engine) -> None:
    """``BackupError`` unless the archive is of this database kind (and schema) and this portal's schema revision."""
    kind = database_kind(engine)
    if manifest.database != kind:
        raise BackupError(
            f"this backup is of a {KIND_NAMES.get(manifest.database, manifest.database)} database, and the portal is "
            f"configured for {KIND_NAMES[kind]}: restore it into a {KIND_NAMES.get(manifest.database, '')} database "
            "(DATABASE_URL)"
        )
    head = schema_head()
    if manifest.alembic_revision != head:
        raise BackupError(
            f"this backup's schema is at revision {manifest.alembic_revision or 'none'} and this portal's at {head}: "
            f"restore it with the portal version that made it ({manifest.portal_version}), then upgrade with init-db"
        )
    if kind == "postgresql":
        schema = _postgres_facts(engine)[0]
        if manifest.schema != schema:
            raise BackupError(
                f"this backup is of the schema {manifest.schema!r} and the database's is {schema!r}; pg_restore can't "
                f"rename a schema: restore into a database whose search_path starts with {manifest.schema!r}"
            )


def _restore_sqlite(engine: Engine, dump: Path) -> None:
    """Copy the archived database into the configured SQLite file with the backup API (in one step)."""
    engine.dispose()
    path = Path(engine.url.database)
    try:
        with closing(sqlite3.connect(dump)) as source, closing(sqlite3.connect(path, timeout=30)) as target:
            target.execute("PRAGMA journal_mode=DELETE").fetchall()
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL").fetchall()
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not restore into {path}: {error}") from None


def _restore_postgres(engine: Engine, dump: Path, work: Path) -> None:
    """``pg_restore`` the dump into the configured schema, in one transaction, owned by the portal's role."""
    major = _postgres_facts(engine)[1]
    engine.dispose()
    tool = find_tool("pg_restore", major)
    conninfo, env = libpq(engine.url)
    listing = _run([tool, "--list", str(dump)], env)
    entries = work / "restore.list"
    entries.write_text("".join(line + "\n" for line in listing.splitlines() if not SCHEMA_ENTRY.match(line)))
    _run(
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--clean",
            "--if-exists",
            "--no-password",
            f"--use-list={entries}",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env,
    )


def _move_files(staged: Path, folder: Path) -> None:
    """Move the unpacked library files into the (empty) library folder."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path in sorted(staged.rglob("*")) if staged.is_dir() else []:
            if path.is_file():
                target = folder / path.relative_to(staged)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(path, target)
    except OSError as error:
        raise BackupError(
            f"the database was restored, but the files could not be moved into {folder} ({error.strerror or error}): "
            "empty the database and the folder, and restore again"
        ) from None
