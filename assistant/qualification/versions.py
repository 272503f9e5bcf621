"""Which criteria version is in force; the first use seeds the built-in BANT definition as version 1."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.db.models import CriteriaVersion
from assistant.qualification.definition import Framework, builtin_framework_text, parse_framework

DEFAULT_FRAMEWORK = "bant"


def active_version(session: Session) -> CriteriaVersion:
    """The criteria version new analyses use."""
    found = _active(session)
    if found is not None:
        return found
    # Workers started together on a fresh database all find no version and all seed version 1; the unique
    # (framework, version) key lets one insert win, and the others use the winner's row.
    try:
        with session.begin_nested():
            return save_version(session, builtin_framework_text(DEFAULT_FRAMEWORK))
    except IntegrityError:
        seeded = _active(session)
        if seeded is None:
            raise
        return seeded


def _active(session: Session) -> CriteriaVersion | None:
    return session.scalars(
        select(CriteriaVersion).where(CriteriaVersion.is_active).order_by(CriteriaVersion.id.desc())
    ).first()


def all_versions(session: Session) -> list[CriteriaVersion]:
    """Every saved version, newest first."""
    active_version(session)  # seeds the default on first use, so the list is never empty
    return list(session.scalars(select(CriteriaVersion).order_by(CriteriaVersion.id.desc())))


def save_version(session: Session, yaml_text: str) -> CriteriaVersion:
    """Validate `yaml_text` and make it the active definition, as the next version of its framework.

    Saving the text that is already active changes nothing, so a repeated `criteria set` is harmless."""
    framework = parse_framework(yaml_text)
    current = _active(session)
    if current is not None and current.definition_yaml == yaml_text:
        return current
    latest = session.scalars(
        select(CriteriaVersion.version)
        .where(CriteriaVersion.framework == framework.framework)
        .order_by(CriteriaVersion.version.desc())
    ).first()
    session.execute(update(CriteriaVersion).values(is_active=False))
    row = CriteriaVersion(
        framework=framework.framework, version=(latest or 0) + 1, definition_yaml=yaml_text, is_active=True
    )
    session.add(row)
    session.flush()
    return row


def load(version: CriteriaVersion) -> Framework:
    """The parsed definition stored in `version`."""
    return parse_framework(version.definition_yaml)
