"""The factory's public contract, the configuration layers, and /healthz."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from flask import request

import parkportal
from parkportal import config as config_module
from parkportal import create_app
from parkportal.extensions import db

from .conftest import TEST_SECRET

REPO = Path(__file__).resolve().parents[1]
NOT_SOURCE = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "test-artifacts", "instance"}


def repository_files() -> set[str]:
    """Every file of the checkout outside instance/, caches, the venv and git."""
    found = set()
    for folder, subfolders, files in os.walk(REPO):
        subfolders[:] = [name for name in subfolders if name not in NOT_SOURCE and not name.endswith(".egg-info")]
        found.update(os.path.relpath(os.path.join(folder, name), REPO) for name in files)
    return found


def dispose(app) -> None:
    """Close an app's database connections."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_contract_config_works_and_creates_no_files_outside_instance(tmp_path, monkeypatch):
    """create_app with the four documented keys serves pages and writes nothing but its own database."""
    workdir, data = tmp_path / "cwd", tmp_path / "data"
    workdir.mkdir()
    data.mkdir()
    monkeypatch.chdir(workdir)
    before = repository_files()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(data / "contract.sqlite3"),
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": TEST_SECRET,
        }
    )
    try:
        with app.app_context():
            db.create_all()
        client = app.test_client()
        assert client.get("/").status_code == 200
        assert client.get("/healthz").get_json() == {"status": "ok", "db": "ok"}
        assert client.post("/auth/login", data={"email": "a@b.cn", "password": "Wrong1234"}).status_code == 422
        app.test_cli_runner().invoke(args=["send-outbox"])
    finally:
        dispose(app)
    assert list(workdir.iterdir()) == []
    assert {p.name for p in data.iterdir()} <= {"contract.sqlite3", "contract.sqlite3-wal", "contract.sqlite3-shm"}
    assert repository_files() == before


def test_factory_honours_max_content_length_and_ratelimit_enabled(make_app):
    """MAX_CONTENT_LENGTH and RATELIMIT_ENABLED given to the factory are in force."""
    app = make_app(MAX_CONTENT_LENGTH=2048, RATELIMIT_ENABLED=False)
    assert app.config["MAX_CONTENT_LENGTH"] == 2048
    client = app.test_client()
    assert client.post("/auth/login", data={"password": "x" * 4000}).status_code == 413
    codes = {client.post("/auth/login", data={"email": "a@b.cn", "password": "x"}).status_code for _ in range(8)}
    assert codes == {422}


@pytest.fixture
def fake_root(tmp_path, monkeypatch):
    """Point the factory at a scratch checkout whose instance/config.py the test writes; no SECRET_KEY etc. in env."""
    (tmp_path / "instance").mkdir()
    monkeypatch.setattr(parkportal, "ROOT", tmp_path)
    for key in [*config_module.ENV_KEYS, "DATABASE_URL"]:
        monkeypatch.delenv(key, raising=False)
    return tmp_path


def test_sqlite_in_instance_is_the_default(fake_root):
    """Without a database URL the app uses instance/parkportal.sqlite3 (and doesn't create it before use)."""
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET})
    try:
        assert app.instance_path == str(fake_root / "instance")
        assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(
            fake_root / "instance" / "parkportal.sqlite3"
        )
        assert not (fake_root / "instance" / "parkportal.sqlite3").exists()
    finally:
        dispose(app)


def test_configuration_layers(fake_root, monkeypatch, tmp_path):
    """Defaults, then instance/config.py, then the environment, then the mapping given to create_app."""
    (fake_root / "instance" / "config.py").write_text(
        'PARK_NAME = "实例园区"\nPARTNER_FIRM_NAME = "实例律所"\n'
        'COVERAGE_TARGET = 80\nSECRET_KEY = "from-instance-0123456789"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("PARTNER_FIRM_NAME", "环境律所")
    monkeypatch.setenv("COVERAGE_TARGET", "90")
    monkeypatch.setenv("BOOKING_LEAD_TIME_HOURS", "1.5")
    monkeypatch.setenv("MAIL_USE_TLS", "yes")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "env.sqlite3"))
    app = create_app({"TESTING": True, "COVERAGE_TARGET": 100})
    try:
        config = app.config
        assert config["PARK_NAME"] == "实例园区"  # instance/config.py over the defaults
        assert config["PARTNER_FIRM_NAME"] == "环境律所"  # the environment over instance/config.py
        assert config["COVERAGE_TARGET"] == 100  # the mapping over the environment
        assert config["SECRET_KEY"] == "from-instance-0123456789"
        assert config["BOOKING_LEAD_TIME_HOURS"] == 1.5 and config["MAIL_USE_TLS"] is True
        assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "env.sqlite3")
        assert config["PARK_NAME_EN"] == config_module.Defaults.PARK_NAME_EN  # untouched default
    finally:
        dispose(app)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://u:p@db/portal", "postgresql+psycopg://u:p@db/portal"),
        ("postgresql://u:p@db/portal", "postgresql+psycopg://u:p@db/portal"),
        ("postgresql+psycopg://u:p@db/portal", "postgresql+psycopg://u:p@db/portal"),
        ("sqlite:////srv/portal.sqlite3", "sqlite:////srv/portal.sqlite3"),
    ],
)
def test_database_url_uses_psycopg(raw, expected):
    """DATABASE_URL in any usual PostgreSQL spelling is driven by psycopg 3."""
    assert config_module.from_environment({"DATABASE_URL": raw})["SQLALCHEMY_DATABASE_URI"] == expected


def test_postgresql_plans_for_data_in_memory_unless_told_otherwise(app, make_app):
    """On PostgreSQL every connection costs a random read at 1.1 (the portal's indexes of one lawyer, one enterprise
    are read instead of the park's by time), after the options the URL gives; an operator's own
    ``connect_args["options"]`` wins."""
    from parkportal import database

    given = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://u:p@db/portal")
    assert given.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"] == database.POSTGRES_OPTIONS
    url = "postgresql+psycopg://u:p@db/portal?options=-csearch_path%3Dmine"
    with_path = make_app(SQLALCHEMY_DATABASE_URI=url).config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
    assert with_path["options"] == f"-csearch_path=mine {database.POSTGRES_OPTIONS}"  # the URL's options kept
    own = {"connect_args": {"options": "-c random_page_cost=4"}}
    mine = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://u:p@db/portal", SQLALCHEMY_ENGINE_OPTIONS=own)
    assert mine.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"] == "-c random_page_cost=4"
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            assert db.session.execute(db.text("SHOW random_page_cost")).scalar() == "1.1"


def test_environment_values_are_typed_and_empty_ones_ignored():
    """Environment values are parsed to the key's type; empty values don't override."""
    values = config_module.from_environment(
        {"RATELIMIT_ENABLED": "false", "MAIL_PORT": "587", "PROXY_FIX": "1", "PARK_NAME": "", "UNRELATED": "x"}
    )
    assert values == {"RATELIMIT_ENABLED": False, "MAIL_PORT": 587, "PROXY_FIX": True}


def test_proxy_fix_trusts_one_proxy(make_app):
    """With PROXY_FIX the app sees the scheme and client address the proxy forwards."""
    app = make_app(PROXY_FIX=True, SERVER_NAME=None)
    app.add_url_rule("/whoami", "whoami", lambda: {"scheme": request.scheme, "ip": request.remote_addr})
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert app.test_client().get("/whoami", headers=headers).get_json() == {"scheme": "https", "ip": "203.0.113.9"}


# -- /healthz ----------------------------------------------------------------------------------------------


def test_healthz_ok(client):
    """/healthz answers 200 with the database reachable."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}


def closed_port() -> int:
    """A local TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(
            lambda tmp: f"postgresql+psycopg://nobody:secret@127.0.0.1:{closed_port()}/none", id="postgres-down"
        ),
        pytest.param(lambda tmp: "sqlite:///" + str(tmp / "missing" / "dir" / "db.sqlite3"), id="sqlite-unopenable"),
    ],
)
def test_healthz_503_when_the_database_cannot_be_reached(make_app, tmp_path, url):
    """/healthz answers 503 when the database is unreachable, and pages don't leak the error."""
    app = make_app(SQLALCHEMY_DATABASE_URI=url(tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "db": "unreachable"}
    assert "secret" not in response.get_data(as_text=True)


def test_healthz_503_when_a_query_fails(app, client, monkeypatch):
    """A database that fails the query (a broken engine) is reported as down, not as a 500."""

    def broken(*args, **kwargs):
        raise RuntimeError("engine broken")

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["db"] == "unreachable"
