"""`callsight outbox list|retry` through the CLI app: a dead letter is listed, retried and delivered."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant import cli
from assistant.cli import common
from assistant.container import Container
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.crm_calls import ingest
from tests.utils.fake_crm import FakeCRM
from tests.utils.fake_llm import FakeLLM

runner = CliRunner()


def test_outbox_list_shows_a_dead_letter_and_retry_delivers_it(
    container: Container, crm: FakeCRM, fake_llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "open_container", lambda *_: container)
    container.settings.crm_max_attempts = 1
    crm.fail("POST", "/services/data/v61.0/sobjects/Task", "error")
    account = crm.salesforce_record("Account", "001", Name="Northwind")
    enqueue_short_call_analysis(fake_llm)
    call_id = ingest(container, {"crm": {"provider": "salesforce", "company_id": account}})

    listed = runner.invoke(cli.app, ["outbox", "list", "--status", "dead", "--json"])
    assert listed.exit_code == 0, listed.output
    (item,) = json.loads(listed.stdout)
    assert (item["call_id"], item["provider"], item["last_error"]) == (
        call_id,
        "salesforce",
        "create Task: server error 500",
    )
    human = runner.invoke(cli.app, ["outbox", "list"])
    assert f"{item['id']}  dead" in human.stdout and "server error 500" in human.stdout

    retried = runner.invoke(cli.app, ["outbox", "retry", str(item["id"])])
    assert retried.exit_code == 0, retried.output
    assert retried.stdout.split() == [str(item["id"]), "delivered"]
    (task,) = crm.salesforce["Task"].values()
    assert task["WhatId"] == account and "WhoId" not in task

    again = runner.invoke(cli.app, ["outbox", "retry", str(item["id"])])
    assert again.exit_code != 0
