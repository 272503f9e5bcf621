"""The agreed qualification criteria as users manage them: show the active version, list, save a new one."""

from __future__ import annotations

from assistant.container import Container
from assistant.db.models import CriteriaVersion
from assistant.db.session import session_scope
from assistant.errors import InvalidInputError
from assistant.qualification import versions
from assistant.qualification.definition import builtin_framework_text
from assistant.schemas import CriteriaUpdate, CriteriaVersionPublic, CriterionPublic


def _public(row: CriteriaVersion) -> CriteriaVersionPublic:
    framework = versions.load(row)
    return CriteriaVersionPublic(
        id=row.id,
        framework=row.framework,
        version=row.version,
        is_active=row.is_active,
        created_at=row.created_at,
        verdict_rule=framework.verdict_rule.model_dump(exclude_none=True),
        criteria=[
            CriterionPublic(key=c.key, name=c.name, required=c.required, question=c.question)
            for c in framework.criteria
        ],
        definition_yaml=row.definition_yaml,
    )


def active(container: Container) -> CriteriaVersionPublic:
    with session_scope(container.sessions) as session:
        return _public(versions.active_version(session))


def history(container: Container) -> list[CriteriaVersionPublic]:
    with session_scope(container.sessions) as session:
        return [_public(row) for row in versions.all_versions(session)]


def save(container: Container, update: CriteriaUpdate) -> CriteriaVersionPublic:
    """Make `update` the active definition; new analyses use it, `reanalyze` applies it to past calls."""
    if (update.definition_yaml is None) == (update.builtin is None):
        raise InvalidInputError("Give either definition_yaml or builtin, not both.")
    text = update.definition_yaml
    if text is None:
        text = builtin_framework_text(update.builtin or "")
    with session_scope(container.sessions) as session:
        return _public(versions.save_version(session, text))
