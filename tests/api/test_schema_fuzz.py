"""Schemathesis over every operation of the app's OpenAPI schema: no input may cause a 5xx (the in-process
transport re-raises the server's exception), every response must be one the schema documents (status code,
content type, body, headers), and input that breaks the schema must be refused.

The app is the real one (SQLite, Chroma, the queue running jobs as they are queued, the fake LLM answering by
the question's schema) with a few analysed calls in it; path ids are often drawn from those calls, so the
routes reach real rows and not only their 404s. Examples are derandomised so CI runs the same cases.

Hypothesis is driven here, one subtest per operation, rather than by schemathesis' pytest loader: the schema
comes from an app over the per-test `container`, which needs `schemathesis.pytest.from_fixture`, and that
breaks on pytest 9.2 (it sets the node's `_nodeid`, which pytest renamed).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import create_app
from assistant import calls
from assistant.container import Container
from assistant.schemas import CallMetadata
from tests.utils.audio import require_tools, synth_speech
from tests.utils.calls import SHORT_CALL
from tests.utils.crm_calls import ingest
from tests.utils.fake_llm import FakeLLM
from tests.utils.insights import add_analysed_call
from tests.utils.schema_replies import keep_answering

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,  # e.g. a number where the schema says `format: date` must be a 422
]
# Enough replies for any one request: a re-analysis asks 6 questions, a re-analysis of all calls 6 per call.
REPLIES_PER_CASE = 60
# Bounded and derandomised: the same cases on every run, a few minutes for the whole schema on 2 cores.
FUZZ_SETTINGS = settings(
    max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def _seed(container: Container, tmp_path: Path) -> dict[str, list[Any]]:
    """Analysed calls of each kind the routes serve, and the ids a path parameter may take from them."""
    transcript_call = ingest(container, {"lead_source": "webinar", "rep": "Maya"})
    require_tools()
    wav = synth_speech("Thanks for joining. Our budget is forty thousand dollars.", tmp_path / "seed.wav")
    with wav.open("rb") as fh:
        audio_call = calls.accept_upload(container, fh, "seed.wav", metadata=CallMetadata()).id
    # Weeks of analysed calls for the insights routes, written straight into the database.
    for week in range(3):
        add_analysed_call(
            container,
            f"seeded {week}",
            datetime(2026, 10, 5 + 7 * week, tzinfo=UTC),
            metadata={"lead_source": "webinar"},
            verdict="unqualified" if week else "qualified",
            blocking=("budget",) if week else (),
            objections=("price_budget",),
            competitors=("Acme Insights",),
            themes=("onboarding",),
        )
    # DELETE gets a call of its own, so the others stay for the operations after it.
    disposable = ingest(container, {}, text=SHORT_CALL + "Rep: One more thing before we go.\n")
    return {
        "call_id": [transcript_call, audio_call],
        "delete_call_id": [disposable],
        "speaker_id": [1, 2],
        "idx": [0, 3],
        "provider": ["generic", "hubspot"],
        "item_id": [1],
    }


def _cases(
    operation: APIOperation, seeds: dict[str, list[Any]], headers: dict[str, str]
) -> st.SearchStrategy[schemathesis.Case]:
    """Valid and invalid requests sent with `headers`; of those with ids in their path, about half name seeded
    rows."""
    deleting = operation.method.upper() == "DELETE"
    names = [p.name for p in operation.path_parameters]
    choices = {
        name: seeds["delete_call_id" if deleting and name == "call_id" else name] for name in names if name in seeds
    }
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        # Seeded ids first: Hypothesis favours the first branch, and those reach the routes' real work.
        if choices:
            real = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in choices.items()})
            strategies.append(real.flatmap(_at(operation, mode, headers)))
        strategies.append(operation.as_strategy(mode, headers=headers))
    return st.one_of(strategies)


def _at(
    operation: APIOperation, mode: GenerationMode, headers: dict[str, str]
) -> Callable[[dict[str, Any]], st.SearchStrategy[schemathesis.Case]]:
    """Requests to `operation` at given path parameters."""

    def strategy(path_parameters: dict[str, Any]) -> st.SearchStrategy[schemathesis.Case]:
        return operation.as_strategy(mode, headers=headers, path_parameters=path_parameters)

    return strategy


def _fuzz(operation: APIOperation, cases: st.SearchStrategy[schemathesis.Case], send: Callable[..., None]) -> None:
    @FUZZ_SETTINGS
    @given(case=cases)
    def run(case: schemathesis.Case) -> None:
        send(case)

    run()


def test_no_input_gives_a_server_error_or_an_undocumented_response(
    container: Container, fake_llm: FakeLLM, tmp_path: Path, admin_headers: dict[str, str], subtests: pytest.Subtests
) -> None:
    keep_answering(fake_llm, REPLIES_PER_CASE)  # the seed calls are analysed as they are uploaded
    seeds = _seed(container, tmp_path)
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(container))
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()  # the schema itself must be valid
        operations.append(result.ok())
    assert len(operations) > 20, "the schema lost its operations"
    statuses: defaultdict[str, Counter[int]] = defaultdict(Counter)

    def send(case: schemathesis.Case) -> None:
        keep_answering(fake_llm, REPLIES_PER_CASE)
        response = case.call()
        statuses[case.operation.label][response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    for operation in operations:
        with subtests.test(operation.label):
            _fuzz(operation, _cases(operation, seeds, admin_headers), send)
    print("\n".join(f"{label}: {dict(counts)}" for label, counts in statuses.items()))
    # Not only 404s: the seeded rows were found and served.
    assert statuses["GET /v1/calls/{call_id}"][200] > 0
    assert statuses["GET /v1/calls/{call_id}/audio"][200] > 0
