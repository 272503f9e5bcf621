"""`callsight keys`: the new key alone on stdout, lists that never show a key, revocation by prefix or id,
and `serve` telling how to create the first key."""

from __future__ import annotations

import json
import logging

import pytest
import uvicorn
from typer.testing import CliRunner

from assistant import auth, cli
from assistant.container import Container
from assistant.errors import InvalidInputError, NotFoundError

runner = CliRunner()


def create(role: str, name: str = "Dana Ruiz") -> str:
    result = runner.invoke(cli.app, ["keys", "create", "--name", name, "--role", role])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_create_prints_only_the_key_on_stdout_and_the_key_works_with_its_role(queued_container: Container) -> None:
    stdout = create("sales")

    key = stdout.strip()
    assert stdout == key + "\n"
    assert key.startswith(auth.KEY_MARKER) and len(key) >= 40
    assert auth.verify_key(queued_container, key) == auth.Principal(key_id=1, name="Dana Ruiz", role="sales")
    listed = runner.invoke(cli.app, ["keys", "list"])
    assert key not in listed.stdout + listed.stderr


def test_list_shows_prefix_name_and_role_but_never_the_key(queued_container: Container) -> None:
    key = create("marketing", "Mia Chen").strip()

    listed = runner.invoke(cli.app, ["keys", "list", "--json"])

    (row,) = json.loads(listed.stdout)
    assert (row["name"], row["role"], row["prefix"], row["revoked_at"]) == ("Mia Chen", "marketing", key[:11], None)
    assert key not in listed.stdout
    assert key[11:20] not in listed.stdout  # nothing past the prefix


def test_revoke_by_prefix_or_id_stops_the_key(queued_container: Container) -> None:
    first = create("admin", "Ops").strip()
    second = create("sales", "Sam").strip()

    by_prefix = runner.invoke(cli.app, ["keys", "revoke", first[:11]])
    by_id = runner.invoke(cli.app, ["keys", "revoke", "2"])

    assert by_prefix.exit_code == by_id.exit_code == 0
    assert auth.verify_key(queued_container, first) is None
    assert auth.verify_key(queued_container, second) is None
    assert "revoked" in runner.invoke(cli.app, ["keys", "list"]).stdout


def test_unknown_role_and_unknown_key_are_clear_errors(queued_container: Container) -> None:
    bad_role = runner.invoke(cli.app, ["keys", "create", "--name", "X", "--role", "owner"])
    unknown = runner.invoke(cli.app, ["keys", "revoke", "cs_nothing"])

    assert isinstance(bad_role.exception, InvalidInputError) and "admin, sales, marketing" in str(bad_role.exception)
    assert isinstance(unknown.exception, NotFoundError)
    assert auth.list_keys(queued_container) == []


def test_serve_logs_how_to_create_the_first_key_only_while_there_is_none(
    queued_container: Container, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda *_args, **_kwargs: None)
    with caplog.at_level(logging.WARNING):
        assert runner.invoke(cli.app, ["serve"]).exit_code == 0
    assert "callsight keys create --name YOUR_NAME --role admin" in caplog.text

    create("admin")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert runner.invoke(cli.app, ["serve"]).exit_code == 0
    assert "keys create" not in caplog.text
