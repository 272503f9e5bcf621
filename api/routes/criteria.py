"""The agreed qualification criteria: the active version, its history, and saving a new version."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.auth import permit
from api.deps import ContainerDep
from api.responses import errors
from assistant import criteria
from assistant.auth import Action
from assistant.schemas import CriteriaUpdate, CriteriaVersionPublic

router = APIRouter(
    prefix="/v1/criteria",
    tags=["criteria"],
    dependencies=[Depends(permit(Action.READ_CRITERIA))],
    responses=errors(401, 403),
)


@router.get("", response_model=CriteriaVersionPublic)
def get_active(container: ContainerDep) -> CriteriaVersionPublic:
    """The criteria version new analyses use."""
    return criteria.active(container)


@router.get("/versions", response_model=list[CriteriaVersionPublic])
def list_versions(container: ContainerDep) -> list[CriteriaVersionPublic]:
    """Every saved version, newest first."""
    return criteria.history(container)


@router.put(
    "",
    response_model=CriteriaVersionPublic,
    responses=errors(400, 422),
    dependencies=[Depends(permit(Action.ADMINISTER))],
)
def put_criteria(container: ContainerDep, update: CriteriaUpdate) -> CriteriaVersionPublic:
    """Save a new version (YAML text or a built-in framework) and make it active.

    Past calls keep their analyses; `POST /v1/calls/reanalyze` re-runs them under this version."""
    return criteria.save(container, update)
