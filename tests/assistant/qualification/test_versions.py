"""The criteria version in force, seeded on first use, also when several workers start on a fresh database."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.container import Container
from assistant.db.session import session_scope
from assistant.qualification import versions


def test_first_use_seeds_bant_version_1_once(container: Container) -> None:
    with session_scope(container.sessions) as session:
        first = versions.active_version(session)
    with session_scope(container.sessions) as session:
        again = versions.active_version(session)
        assert [(v.framework, v.version) for v in versions.all_versions(session)] == [("BANT", 1)]
    assert again.id == first.id


def test_a_worker_that_loses_the_race_to_seed_uses_the_winners_version(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = versions.save_version

    def another_worker_seeds_first(session: Session, yaml_text: str) -> object:
        # The other worker commits version 1 between this worker's lookup and its insert, so this worker's
        # insert of version 1 fails on the unique key, as PostgreSQL reports it.
        with session_scope(container.sessions) as other:
            seed(other, yaml_text)
        raise IntegrityError("INSERT INTO criteria_versions", {}, Exception("duplicate key (BANT, 1)"))

    monkeypatch.setattr(versions, "save_version", another_worker_seeds_first)
    with session_scope(container.sessions) as session:
        version = versions.active_version(session)
        assert (version.framework, version.version, version.is_active) == ("BANT", 1, True)
        monkeypatch.undo()
        assert len(versions.all_versions(session)) == 1
