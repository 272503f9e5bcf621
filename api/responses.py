"""The error responses routes document, so the OpenAPI schema names every status code a route can answer
with and the body that comes with it (`{"detail": ...}`, as `api.main` maps domain errors)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorPublic(BaseModel):
    """A refused request; `detail` says why, for a person."""

    detail: str


class FieldProblem(BaseModel):
    """One part of the request that does not match the schema (FastAPI's validation error item)."""

    loc: list[str | int]
    msg: str
    type: str


class UnprocessablePublic(BaseModel):
    """422: a domain check's message, or the list of fields that do not match the schema."""

    detail: str | list[FieldProblem]


_WHY = {
    400: "The body is not valid JSON or form data.",
    401: "No valid API key (`Authorization: Bearer KEY`), or for a webhook no valid signature.",
    403: "The caller's role may not do this.",
    404: "No such resource.",
    409: "The resource is in a state that does not allow this (for example, still being processed).",
    413: "The upload is larger than the limit.",
    415: "The file is neither audio or video we can decode nor a transcript format we know.",
    422: "The request is well-formed but not valid.",
    502: "The language model's reply did not validate, or an upstream server failed.",
    503: "A model is not installed.",
    507: "The server's disk is full; nothing was stored, and the request can be made again.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route or router that can answer with these error codes."""
    return {
        code: {"model": UnprocessablePublic if code == 422 else ErrorPublic, "description": _WHY[code]}
        for code in codes
    }
