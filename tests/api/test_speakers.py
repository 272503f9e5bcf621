"""Speaker corrections over HTTP: metrics recomputed, analysis re-run on the corrected roles."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from assistant.container import Container
from assistant.stages import load_lines
from tests.utils.analysis import enqueue_short_call_analysis, enqueue_unknown_analysis
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM


def upload(client: TestClient, text: str, name: str = "call.txt") -> dict[str, Any]:
    response = client.post("/v1/calls", files={"file": (name, text.encode(), "text/plain")})
    assert response.status_code == 202, response.text
    call: dict[str, Any] = client.get(f"/v1/calls/{response.json()['id']}").json()
    assert call["status"] == "done", call["error"]
    return call


def speaker(call: dict[str, Any], label: str) -> dict[str, Any]:
    return next(s for s in call["speakers"] if s["label"] == label)


def test_a_processed_call_shows_its_metrics(client: TestClient, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    call = upload(client, SHORT_CALL)
    assert call["metrics"]["rep_questions"] == 4
    assert call["metrics"]["speakers"] == 2
    assert 0 < call["metrics"]["rep_talk_ratio"] < 1
    assert speaker(call, "Rep")["metrics"]["questions"] == 4
    assert speaker(call, "Prospect")["metrics"]["talk_ratio"] == round(1 - call["metrics"]["rep_talk_ratio"], 3)


def test_swapping_roles_recomputes_metrics_and_reanalyses(
    client: TestClient, fake_llm: FakeLLM, container: Container
) -> None:
    enqueue_short_call_analysis(fake_llm)
    call = upload(client, SHORT_CALL)
    asked_before = len(fake_llm.history)
    enqueue_unknown_analysis(fake_llm)
    response = client.post(f"/v1/calls/{call['id']}/speakers/swap")
    assert response.status_code == 200, response.text
    swapped = response.json()
    assert speaker(swapped, "Rep")["role"] == "prospect" and speaker(swapped, "Prospect")["role"] == "rep"
    assert speaker(swapped, "Rep")["role_confidence"] == 1.0
    assert swapped["metrics"]["rep_questions"] == 0  # the "rep" is now the speaker who asked none
    assert swapped["status"] == "done"
    assert len(fake_llm.history) > asked_before  # the analysis ran again
    # The re-run read the corrected roles: the old rep's opening line is now the prospect's.
    lines = load_lines(container, call["id"])
    assert lines[0].text.startswith("Thanks for taking the time") and lines[0].role == "prospect"


def test_rename_and_set_role_then_move_a_segment(client: TestClient, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    call = upload(client, SHORT_CALL)
    rep, prospect = speaker(call, "Rep"), speaker(call, "Prospect")
    enqueue_unknown_analysis(fake_llm)
    renamed = client.patch(f"/v1/calls/{call['id']}/speakers/{prospect['id']}", json={"label": "Tom Berg"}).json()
    assert [s["speaker"] for s in renamed["segments"]][1] == "Tom Berg"
    enqueue_unknown_analysis(fake_llm)
    moved = client.patch(f"/v1/calls/{call['id']}/segments/0", json={"speaker_id": prospect["id"]})
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["segments"][0]["speaker"] == "Tom Berg" and body["segments"][0]["role"] == "prospect"
    assert speaker(body, "Rep")["metrics"]["questions"] == 3  # the moved line held one of the rep's questions
    assert speaker(body, "Rep")["id"] == rep["id"]


def test_bad_corrections_are_refused_and_change_nothing(
    client: TestClient, fake_llm: FakeLLM, container: Container
) -> None:
    enqueue_short_call_analysis(fake_llm)
    call = upload(client, SHORT_CALL)
    base = f"/v1/calls/{call['id']}"
    assert client.patch(f"{base}/speakers/999999", json={"label": "X"}).status_code == 404
    assert client.patch(f"{base}/speakers/{call['speakers'][0]['id']}", json={"role": "boss"}).status_code == 422
    assert client.patch(f"{base}/speakers/{call['speakers'][0]['id']}", json={}).status_code == 422
    assert client.patch(f"{base}/segments/999", json={"speaker_id": call["speakers"][0]["id"]}).status_code == 404
    assert client.patch(f"{base}/segments/0", json={"speaker_id": 999999}).status_code == 404
    assert client.post("/v1/calls/nope/speakers/swap").status_code == 404
    assert client.get(base).json()["speakers"] == call["speakers"]


def test_a_non_english_transcript_flows_through_to_the_index(
    client: TestClient, fake_llm: FakeLLM, container: Container
) -> None:
    spanish = (
        "Vendedor: Gracias por su tiempo. ¿Cómo planifican las entregas hoy?\n"
        "Cliente: Perdemos dos horas cada día corrigiendo errores en las rutas.\n"
        "Vendedor: ¿Quién más participa en la decisión?\n"
        "Cliente: El director financiero decide, y el precio es muy importante para nosotros.\n"
    )
    enqueue_unknown_analysis(fake_llm)
    call = upload(client, spanish, name="llamada.txt")
    assert call["language"] == "es"
    found = container.index.search("errores en las rutas", where={"call_id": call["id"]}, k=3)
    hit = next(hit for hit in found if "errores en las rutas" in hit.text)
    assert hit.metadata["language"] == "es"
    assert hit.metadata["rep_questions"] == 2  # the Vendedor asked the questions, so is the rep
