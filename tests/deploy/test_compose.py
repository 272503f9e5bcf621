"""The deployment files agree with the code they start. No Docker engine runs here or in CI, so the compose
file and the image are checked statically: every command is one the real CLI accepts, every setting is one
Callsight reads, and the image installs what `make setup` installs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from assistant.cli import app as cli_app
from assistant.config import Settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
DOCKERFILE = (REPO / "deploy" / "Dockerfile").read_text()
MAKEFILE = (REPO / "Makefile").read_text()
SERVICES: dict[str, Any] = COMPOSE["services"]


def _callsight_commands() -> list[tuple[str, list[str]]]:
    found = [(name, service["command"]) for name, service in SERVICES.items() if "command" in service]
    cmd = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.MULTILINE)
    assert cmd is not None
    found.append(("Dockerfile CMD", yaml.safe_load(cmd.group(1))))
    return [(where, args) for where, args in found if args[0] == "callsight"]


def test_the_stack_has_the_api_workers_and_the_three_servers() -> None:
    assert {"api", "worker", "postgres", "redis", "chroma"} <= set(SERVICES)
    assert SERVICES["worker"]["deploy"]["replicas"] >= 2
    assert "--no-consumer" in SERVICES["api"]["command"]  # the API stays responsive; workers do the jobs


@pytest.mark.parametrize(("where", "args"), _callsight_commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_callsight_command_is_accepted_by_the_cli(where: str, args: list[str]) -> None:
    group: Any = typer.main.get_command(cli_app)  # a group: typer's own copy of click
    with group.make_context("callsight", list(args[1:2])) as ctx:
        command = group.get_command(ctx, args[1])
        assert command is not None, f"{where}: no such command {args[1]!r}"
        # Parses and type-checks every option, as the real start would, without running the command.
        command.make_context(args[1], list(args[2:]), parent=ctx)


def test_every_setting_the_deployment_sets_is_one_callsight_reads() -> None:
    env: dict[str, str] = {}
    for service in SERVICES.values():
        env.update(service.get("environment") or {})
    env.update(dict(re.findall(r"(CALLSIGHT_\w+)=(\S+)", DOCKERFILE)))
    names = {key for key in env if key.startswith("CALLSIGHT_")}
    assert names, "the deployment configures Callsight through CALLSIGHT_* settings"
    fields = {f"CALLSIGHT_{name.upper()}" for name in Settings.model_fields}
    assert names <= fields, f"unknown settings: {sorted(names - fields)}"
    urls = {key: value for key, value in env.items() if key.endswith("_URL")}
    assert urls["CALLSIGHT_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert urls["CALLSIGHT_REDIS_URL"].startswith("redis://redis:")
    assert urls["CALLSIGHT_CHROMA_URL"] == "http://chroma:8000"
    assert "8000" in SERVICES["chroma"]["command"]


def test_the_image_installs_the_packages_make_setup_installs_without_dependencies() -> None:
    def no_deps_pins(text: str) -> set[str]:
        lines = [line for line in text.splitlines() if "--no-deps" in line]
        return {arg for line in lines for arg in shlex.split(line.replace("\\", "")) if "==" in arg}

    assert no_deps_pins(MAKEFILE)
    assert no_deps_pins(DOCKERFILE) == no_deps_pins(MAKEFILE)
