"""The analyzer with a fake LLM and the real embedder: grounding, dropping, verdicts, long calls."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.analysis.analyzer import Analyzer
from assistant.analysis.lines import Line
from assistant.index import Embedder
from assistant.qualification.definition import builtin_framework_text, parse_framework
from tests.utils.analysis import (
    criterion_reply,
    enqueue_bant_analysis,
    enqueue_short_call_analysis,
    objection_reply,
    summary_reply,
)
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM

BANT = parse_framework(builtin_framework_text("bant"))


def short_call_lines() -> list[Line]:
    lines = []
    for n, raw in enumerate(SHORT_CALL.strip().splitlines(), start=1):
        who, text = raw.split(": ", 1)
        role = "rep" if who == "Rep" else "prospect"
        lines.append(Line(id=n, start=n * 5.0, end=n * 5.0 + 4, speaker=who, role=role, text=text))  # type: ignore[arg-type]
    return lines


def unasked_call_lines() -> list[Line]:
    """The short call without the rep's budget, decision and timing questions, whose answers count as partial."""
    lines = short_call_lines()
    for index, statement in ((2, "That sounds painful."), (4, "Understood."), (6, "Tell me about your fleet.")):
        lines[index] = replace(lines[index], text=statement)
    return lines


@pytest.fixture
def analyzer(fake_llm: FakeLLM, embedder: Embedder) -> Analyzer:
    return Analyzer(fake_llm, embedder, context_tokens=8192, retries=1)


def test_evidence_is_the_prospects_verbatim_line_with_its_time(analyzer: Analyzer, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    lines = short_call_lines()
    result = analyzer.analyse("Northwind", lines, BANT, 1)
    budget = result.qualification.criteria[0]
    assert budget.status == "met"
    assert budget.evidence[0].quote == lines[3].text
    assert budget.evidence[0].start == lines[3].start
    assert budget.evidence[0].role == "prospect"
    assert result.qualification.verdict == "qualified"
    assert [o.category for o in result.objections] == ["competitor_incumbent", "integration_technical"]
    assert result.objections[0].quote == lines[8].text
    assert result.competitors[0].name == "Acme Insights"
    assert result.competitors[0].quote == lines[8].text
    assert result.dropped_evidence == 0
    assert fake_llm.pending == 0


def test_every_question_shares_the_transcript_prefix(analyzer: Analyzer, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    analyzer.analyse("Northwind", short_call_lines(), BANT, 1)
    prefixes = {messages[1]["content"].split("\n\nTask:")[0] for messages in fake_llm.history}
    assert len(prefixes) == 1
    prefix = prefixes.pop()
    assert "4 Prospect: We set aside about forty thousand dollars" in prefix
    # Only lines the model may point at carry a number: every number costs tokens on a long call.
    assert "\nRep: " in prefix and not any(f"{n} Rep:" in prefix for n in range(1, 20))


def test_schema_only_offers_prospect_lines_as_evidence(analyzer: Analyzer, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    analyzer.analyse("Northwind", short_call_lines(), BANT, 1)
    budget_schema = fake_llm.json_schemas[1]
    assert budget_schema is not None
    items = budget_schema["properties"]["evidence_lines"]["items"]
    assert sorted(items["enum"]) == [2, 4, 6, 8, 9, 11]


def test_met_without_prospect_evidence_becomes_unknown_and_is_counted(analyzer: Analyzer, fake_llm: FakeLLM) -> None:
    fake_llm.enqueue(summary_reply(competitors=["Gong"], themes=[]))
    # "value" matches nothing the prospect said, and the model points at no line.
    fake_llm.enqueue(
        '{"value": null, "status": "met", "evidence_lines": [], "rationale": "assumed"}',
        criterion_reply("unknown"),
        criterion_reply("unknown"),
        criterion_reply("unknown"),
        objection_reply(),
    )
    result = analyzer.analyse("Northwind", unasked_call_lines(), BANT, 1)
    budget = result.qualification.criteria[0]
    assert budget.status == "unknown"
    assert budget.evidence == []
    assert result.competitors == []  # "Gong" is never said in the call
    assert result.dropped_evidence == 2
    assert result.qualification.verdict == "unknown"


def test_a_required_criterion_not_met_makes_the_lead_unqualified(analyzer: Analyzer, fake_llm: FakeLLM) -> None:
    fake_llm.enqueue(
        summary_reply(),
        criterion_reply("not_met", [4], "no budget"),
        criterion_reply("met", [6], "CFO"),
        criterion_reply("met", [2], "manual entry"),
        criterion_reply("partial", [8], "Q3"),
        objection_reply(),
    )
    qualification = analyzer.analyse("Northwind", short_call_lines(), BANT, 3).qualification
    assert qualification.verdict == "unqualified"
    assert qualification.blocking == ["budget", "timeline"]
    assert qualification.criteria_version == 3


def test_invalid_reply_is_retried_with_the_error(analyzer: Analyzer, fake_llm: FakeLLM) -> None:
    fake_llm.enqueue("not json at all")
    enqueue_short_call_analysis(fake_llm)
    result = analyzer.analyse("Northwind", short_call_lines(), BANT, 1)
    assert result.summary.startswith("Tom from Northwind")
    assert "does not match the required JSON schema" in fake_llm.history[1][-1]["content"]


def test_long_call_is_analysed_in_windows_and_merged(fake_llm: FakeLLM, embedder: Embedder) -> None:
    lines = short_call_lines()
    long_lines = [
        Line(id=i + 1, start=i * 5.0, end=i * 5.0 + 4, speaker=ln.speaker, role=ln.role, text=ln.text)
        for i, ln in enumerate(lines * 40)
    ]
    analyzer = Analyzer(fake_llm, embedder, context_tokens=1500 + 1200, retries=0)
    n_windows = -(-sum(len(ln.text) // 4 + 5 for ln in long_lines) // 1200)
    for _ in range(n_windows):
        fake_llm.enqueue(summary_reply(competitors=[], themes=[]), *(criterion_reply() for _ in range(4)))
        fake_llm.enqueue(objection_reply())
    fake_llm.enqueue({"summary": "One merged summary."})
    result = analyzer.analyse("Long call", long_lines, BANT, 1)
    assert n_windows > 1
    assert result.summary == "One merged summary."
    assert fake_llm.pending == 0
    assert all(len(m[-1]["content"]) < 4 * 2700 for m in fake_llm.history)


def test_stated_value_locates_evidence_when_the_model_points_at_the_wrong_line(
    analyzer: Analyzer, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(
        summary_reply(),
        criterion_reply("unknown", [4], "forty thousand"),
        criterion_reply("met", [9], "CFO Dana Ruiz"),  # line 9 is about Acme; Dana Ruiz is named on line 6
        criterion_reply("met", [2], "manual entry"),
        criterion_reply("met", [2], "$25k threshold"),  # nothing says 25k: the model's pointer stands
        objection_reply(),
    )
    lines = unasked_call_lines()
    criteria = analyzer.analyse("Northwind", lines, BANT, 1).qualification.criteria
    assert criteria[0].evidence == []  # unknown carries no evidence
    assert [e.quote for e in criteria[1].evidence] == [lines[5].text]
    assert [e.quote for e in criteria[3].evidence] == [lines[1].text]


@pytest.mark.parametrize(
    ("pointed", "asked", "status", "quotes"),
    [
        ([9], False, "partial", [9]),  # "Acme Insights quoted us less": no time, so not a met timeline
        ([9, 8], False, "met", [8]),  # line 8 states the time ("before the end of the third quarter")
        ([9], True, "met", [8]),  # line 8 answers "When would you want this running?" and states the time
    ],
)
def test_a_met_timeline_needs_a_stated_time(
    analyzer: Analyzer, fake_llm: FakeLLM, pointed: list[int], asked: bool, status: str, quotes: list[int]
) -> None:
    enqueue_bant_analysis(fake_llm, timeline=criterion_reply("met", pointed, "soon"))
    lines = short_call_lines() if asked else unasked_call_lines()
    result = analyzer.analyse("Northwind", lines, BANT, 1)
    timeline = result.qualification.criteria[3]
    assert timeline.status == status
    assert [e.quote for e in timeline.evidence] == [lines[n - 1].text for n in quotes]
    assert result.dropped_evidence == (status == "partial")
    assert result.qualification.verdict == ("qualified" if status == "met" else "nurture")


@pytest.mark.parametrize(
    ("asked", "status", "quotes"),
    [
        # "Who else is involved in the decision?" is answered by line 6, which names the CFO who signs.
        (True, "met", [6]),
        # Unasked, nothing the model pointed at names anyone who decides: no evidence of authority at all.
        (False, "unknown", []),
    ],
)
def test_a_met_authority_needs_someone_who_decides(
    analyzer: Analyzer, fake_llm: FakeLLM, asked: bool, status: str, quotes: list[int]
) -> None:
    lines = short_call_lines() if asked else unasked_call_lines()
    # The model points at the pain, which names no one who decides.
    enqueue_bant_analysis(fake_llm, authority=criterion_reply("met", [2], "the dispatchers"))
    result = analyzer.analyse("Northwind", lines, BANT, 1)
    authority = result.qualification.criteria[1]
    assert authority.status == status
    assert [e.quote for e in authority.evidence] == [lines[n - 1].text for n in quotes]
    assert result.dropped_evidence == (status == "unknown")
    assert result.qualification.blocking == ([] if status == "met" else ["authority"])


@pytest.mark.parametrize(
    ("model_says", "pointed", "status"),
    [
        ("unknown", 4, "not_met"),  # the model missed the denial; the prospect's own words rule budget out
        ("partial", 4, "partial"),  # the model's own reading of the line stands
        ("met", 9, "not_met"),  # "met" read from another line (a price the prospect repeats) loses to the denial
        ("partial", 9, "not_met"),  # so does a "partial" read from another line
    ],
)
def test_a_prospect_denying_budget_makes_an_unknown_met_or_partial_budget_not_met(
    analyzer: Analyzer, fake_llm: FakeLLM, model_says: str, pointed: int, status: str
) -> None:
    lines = short_call_lines()
    lines[3] = replace(lines[3], text="Honestly, there's no money for new software this year.")
    lines[8] = replace(lines[8], text="So twelve seats would be four hundred a month.")
    enqueue_bant_analysis(
        fake_llm, budget=criterion_reply(model_says, [pointed] if model_says != "unknown" else [], "no money this year")
    )
    result = analyzer.analyse("Northwind", lines, BANT, 1)
    budget = result.qualification.criteria[0]
    assert budget.status == status
    assert [e.quote for e in budget.evidence] == [lines[3].text]
    if status == "not_met":
        assert budget.rationale == 'The prospect rules it out: "no money".'
        assert result.qualification.verdict == "unqualified"
        assert result.qualification.blocking == ["budget"]


def test_a_need_the_prospect_denies_in_the_models_own_evidence_is_not_met(
    analyzer: Analyzer, fake_llm: FakeLLM
) -> None:
    lines = short_call_lines()
    lines[1] = replace(lines[1], text="We fixed re-entry last year with our ERP, so it's not really a problem anymore.")
    enqueue_bant_analysis(fake_llm, need=criterion_reply("met", [2], "order re-entry"))
    result = analyzer.analyse("Northwind", lines, BANT, 1)
    need = result.qualification.criteria[2]
    assert (need.status, need.rationale) == ("not_met", 'The prospect rules it out: "not really a problem anymore".')
    assert [e.quote for e in need.evidence] == [lines[1].text]
    # The budget line states the amount the model read: it stays the evidence of a met budget.
    assert result.qualification.criteria[0].status == "met"


def test_a_hedged_timeline_is_partial_with_the_hedge_as_its_rationale(analyzer: Analyzer, fake_llm: FakeLLM) -> None:
    lines = short_call_lines()
    lines[7] = replace(lines[7], text="Probably before the end of the third quarter, but I can't promise that.")
    enqueue_bant_analysis(fake_llm)
    result = analyzer.analyse("Northwind", lines, BANT, 1)
    timeline = result.qualification.criteria[3]
    assert (timeline.status, timeline.rationale) == ("partial", 'The prospect hedges: "Probably".')
    assert [e.quote for e in timeline.evidence] == [lines[7].text]
    assert (result.qualification.verdict, result.qualification.blocking) == ("nurture", ["timeline"])


def test_an_answer_to_the_reps_question_makes_an_unknown_criterion_partial(
    analyzer: Analyzer, fake_llm: FakeLLM
) -> None:
    lines = short_call_lines()
    lines[3] = replace(lines[3], text="I don't know. Maybe ten grand a year? I'd have to see.")
    fake_llm.enqueue(summary_reply(), *(criterion_reply() for _ in range(4)), objection_reply())
    result = analyzer.analyse("Northwind", lines, BANT, 1)
    budget, authority, need, timeline = result.qualification.criteria
    assert [budget.status, authority.status, need.status, timeline.status] == [
        "partial",
        "partial",
        "unknown",
        "partial",
    ]
    assert [[e.quote for e in c.evidence] for c in (budget, authority, timeline)] == [
        [lines[3].text],
        [lines[5].text],
        [lines[7].text],
    ]
    assert budget.value is None
    assert budget.rationale == (
        'The prospect answered "Do you have a budget in mind for fixing it?", but not clearly enough for the model'
        " to call it met."
    )
    assert result.qualification.verdict == "nurture"


def test_a_dodged_question_and_no_denial_keep_an_unknown_budget_unknown(analyzer: Analyzer, fake_llm: FakeLLM) -> None:
    lines = short_call_lines()
    lines[3] = replace(lines[3], text="I'd rather not get into commercials today.")
    lines[4:7] = unasked_call_lines()[4:7]
    fake_llm.enqueue(summary_reply(), *(criterion_reply() for _ in range(4)), objection_reply())
    result = analyzer.analyse("Northwind", lines, BANT, 1)
    assert [c.status for c in result.qualification.criteria] == ["unknown"] * 4
    assert result.qualification.verdict == "unknown"


def test_grounding_matches_numbers_in_any_spelling() -> None:
    from assistant.analysis.grounding import lexical_matches

    lines = [
        Line(1, 0, 1, "P", "prospect", "We paid almost $60,000 in penalties."),
        Line(2, 1, 2, "P", "prospect", "We set aside about $40,000 this year."),
        Line(3, 2, 3, "P", "prospect", "Live before the end of Q3, please."),
    ]
    assert [ln.id for ln in lexical_matches("$40k budget", lines)] == [2]
    assert [ln.id for ln in lexical_matches("40,000 dollars", lines)] == [2]
    assert [ln.id for ln in lexical_matches("end of Q3", lines)] == [3]
    assert lexical_matches("soon", lines) == []
    # A capital that starts a sentence is not a name: "My" and "Live" match nothing by themselves.
    assert lexical_matches("My company decides. Live soon.", lines) == []


def test_next_step_owner_and_date_are_kept_only_when_the_call_says_them(analyzer: Analyzer, fake_llm: FakeLLM) -> None:
    steps = [
        {"text": "Send the security questionnaire", "owner": "Rep", "due": "Friday"},
        {"text": "Demo with Dana", "owner": "Tom", "due": "2023-09-12"},
    ]
    fake_llm.enqueue(summary_reply(next_steps=steps, themes=[], competitors=[]))
    fake_llm.enqueue(*(criterion_reply() for _ in range(4)), objection_reply())
    result = analyzer.analyse("Northwind", short_call_lines(), BANT, 1)
    assert [(s.owner, s.due) for s in result.next_steps] == [("Rep", "Friday"), ("Tom", None)]
    assert result.dropped_evidence == 1


def test_objections_carry_the_reps_reply_and_whether_it_was_handled(analyzer: Analyzer, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    lines = short_call_lines()
    acme, it_time = analyzer.analyse("Northwind", lines, BANT, 1).objections
    assert acme.response is not None and acme.response.quote == lines[9].text  # the rep's next line
    assert acme.handled is True
    assert it_time.response is not None and it_time.response.quote == lines[11].text
    assert it_time.handled is False


def test_an_objection_the_rep_never_answers_is_not_handled(analyzer: Analyzer, fake_llm: FakeLLM) -> None:
    lines = short_call_lines()[:9]  # the call ends on the prospect's Acme concern
    fake_llm.enqueue(summary_reply(), *(criterion_reply() for _ in range(4)))
    fake_llm.enqueue(objection_reply([(9, "Acme is cheaper")], answered=[9]))
    (objection,) = analyzer.analyse("Northwind", lines, BANT, 1).objections
    assert objection.response is None
    assert objection.handled is False


def test_pain_points_and_feature_requests_are_grounded_or_dropped(analyzer: Analyzer, fake_llm: FakeLLM) -> None:
    fake_llm.enqueue(
        summary_reply(
            pain_points=["re-entering orders by hand", "quantum teleportation of pallets"],
            feature_requests=["a quick implementation for IT"],
        )
    )
    fake_llm.enqueue(*(criterion_reply() for _ in range(4)), objection_reply())
    lines = short_call_lines()
    result = analyzer.analyse("Northwind", lines, BANT, 1)
    assert [(p.name, p.quote) for p in result.pain_points] == [("re-entering orders by hand", lines[1].text)]
    assert [f.quote for f in result.feature_requests] == [lines[10].text]
    assert result.dropped_evidence == 1


def test_configured_competitors_are_found_without_the_model(fake_llm: FakeLLM, embedder: Embedder) -> None:
    analyzer = Analyzer(fake_llm, embedder, context_tokens=8192, retries=1, known_competitors=("acme insights", "Gong"))
    fake_llm.enqueue(summary_reply(competitors=[]), *(criterion_reply() for _ in range(4)), objection_reply())
    lines = short_call_lines()
    result = analyzer.analyse("Northwind", lines, BANT, 1)
    assert [(c.name, c.quote) for c in result.competitors] == [("acme insights", lines[8].text)]
    assert result.dropped_evidence == 0  # a configured name this call never says is not a dropped claim
