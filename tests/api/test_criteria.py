"""Managing the agreed criteria over HTTP, and re-analysing past calls under a new version."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.container import Container
from assistant.db.models import Call, Segment
from tests.utils.analysis import criterion_reply, enqueue_short_call_analysis, objection_reply, summary_reply
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM

TWO_CRITERIA = """\
framework: Lean
description: Budget and need only; need is optional.
verdict_rule:
  qualified_when: all_required_met
criteria:
  - key: budget
    name: Budget
    required: true
    question: Has the prospect stated a budget?
    met: An amount or approved funding.
    partial: Budget mentioned but unclear.
    probes: [We have forty thousand dollars for this.]
  - key: need
    name: Need
    required: false
    question: Has the prospect described a concrete problem?
    met: A specific pain with impact.
    partial: A vague need.
    probes: [We waste hours every week on this.]
"""


def upload_short_call(client: TestClient) -> str:
    response = client.post("/v1/calls", files={"file": ("call.txt", SHORT_CALL.encode(), "text/plain")})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def test_default_criteria_are_bant_version_1(client: TestClient) -> None:
    active = client.get("/v1/criteria").json()
    assert (active["framework"], active["version"], active["is_active"]) == ("BANT", 1, True)
    assert [c["key"] for c in active["criteria"]] == ["budget", "authority", "need", "timeline"]


def test_put_yaml_makes_a_new_active_version_and_the_same_text_again_changes_nothing(client: TestClient) -> None:
    assert client.get("/v1/criteria").json()["framework"] == "BANT"
    first = client.put("/v1/criteria", json={"definition_yaml": TWO_CRITERIA})
    assert first.status_code == 200, first.text
    again = client.put("/v1/criteria", json={"definition_yaml": TWO_CRITERIA}).json()
    assert again["id"] == first.json()["id"]
    assert client.get("/v1/criteria").json()["framework"] == "Lean"
    history = client.get("/v1/criteria/versions").json()
    assert [(v["framework"], v["is_active"]) for v in history] == [("Lean", True), ("BANT", False)]


def test_invalid_definitions_are_refused_and_the_active_version_stays(client: TestClient) -> None:
    for body in (
        {"definition_yaml": "criteria: [unclosed"},
        {"definition_yaml": "framework: X\ncriteria: []\n"},
        {"definition_yaml": TWO_CRITERIA.replace("key: need", "key: budget")},
        {"builtin": "nosuchframework"},
        {"builtin": "bant", "definition_yaml": TWO_CRITERIA},
    ):
        response = client.put("/v1/criteria", json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"]
    assert client.get("/v1/criteria").json()["framework"] == "BANT"


def test_reanalyze_uses_the_new_version_and_keeps_the_transcript(
    client: TestClient, container: Container, fake_llm: FakeLLM
) -> None:
    enqueue_short_call_analysis(fake_llm)
    call_id = upload_short_call(client)
    before = client.get(f"/v1/calls/{call_id}").json()
    assert before["qualification"]["framework"] == "BANT"
    with container.sessions() as session:
        segment_ids = sorted(s.id for s in session.query(Segment).filter_by(call_id=call_id))
        transcribed_at = session.get_one(Call, call_id).transcribed_at

    client.put("/v1/criteria", json={"definition_yaml": TWO_CRITERIA})
    fake_llm.enqueue(summary_reply(), criterion_reply("met", [4], "$40,000 this year"), criterion_reply())
    fake_llm.enqueue(objection_reply())
    response = client.post(f"/v1/calls/{call_id}/reanalyze")
    assert response.status_code == 202, response.text

    after = client.get(f"/v1/calls/{call_id}").json()
    assert after["status"] == "done", after["error"]
    assert after["analysis"]["criteria_version"] == 1
    assert after["qualification"]["framework"] == "Lean"
    # need is optional and unknown: budget alone qualifies under this definition
    assert after["qualification"]["verdict"] == "qualified"
    assert fake_llm.pending == 0
    with container.sessions() as session:
        assert sorted(s.id for s in session.query(Segment).filter_by(call_id=call_id)) == segment_ids
        assert session.get_one(Call, call_id).transcribed_at == transcribed_at
        assert len(session.get_one(Call, call_id).analyses) == 2


def test_reanalyze_refuses_unknown_and_unfinished_calls(client: TestClient, container: Container) -> None:
    assert client.post("/v1/calls/nosuchcall/reanalyze").status_code == 404
    call_id = upload_short_call(client)  # the fake LLM has no replies: the call fails in analysis
    assert client.get(f"/v1/calls/{call_id}").json()["status"] == "failed"
    with container.sessions() as session, session.begin():
        session.get_one(Call, call_id).status = "analysing"
    response = client.post("/v1/calls/reanalyze", json={"call_ids": [call_id]})
    assert response.status_code == 409
    assert "wait until it is done" in response.json()["detail"]
