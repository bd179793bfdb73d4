"""The migration chain builds exactly the schema of the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from parkportal.extensions import db

VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"


def schema_differences() -> list:
    """What alembic autogenerate would change to make the database match the models."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_of_an_empty_database_equals_the_models(make_app, empty_database_url):
    """Upgrading an empty database to head gives the models' schema: autogenerate finds no difference."""
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        assert schema_differences() == []
        tables = set(inspect(db.engine).get_table_names())
        assert {table.name for table in db.metadata.sorted_tables} | {"alembic_version"} == tables


def test_downgrade_to_base_and_up_again(make_app, empty_database_url):
    """The chain can be walked down to nothing and up again."""
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert schema_differences() == []


def test_revisions_form_one_numbered_chain(app):
    """Revisions are named 000N_<name>.py with revision '000N', each revising the one before, one head."""
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1
    revisions = list(reversed(list(script.walk_revisions())))
    for number, revision in enumerate(revisions, start=1):
        assert revision.revision == f"{number:04d}"
        assert revision.down_revision == (f"{number - 1:04d}" if number > 1 else None)
        assert re.fullmatch(rf"{number:04d}_\w+\.py", Path(revision.path).name)
    assert len(revisions) == len(list(VERSIONS.glob("0*.py")))
