"""Which transcript lines the model is shown."""

from __future__ import annotations

from assistant.analysis.lines import Line, rep_turns_joined, split_sentences, substantive


def _lines(*spoken: tuple[str, str]) -> list[Line]:
    return [
        Line(id=n, start=float(n), end=n + 0.5, speaker=role.title(), role=role, text=text)  # type: ignore[arg-type]
        for n, (role, text) in enumerate(spoken, start=1)
    ]


def test_acknowledgements_are_left_out_and_ids_are_kept() -> None:
    lines = _lines(
        ("rep", "We connect to your CRM in a day."),
        ("prospect", "Okay, got it."),
        ("rep", "Alright."),
        ("prospect", "Our budget is forty thousand."),
    )
    assert [line.id for line in substantive(lines)] == [1, 4]


def test_an_acknowledgement_that_answers_a_question_stays() -> None:
    lines = _lines(("rep", "So the budget is approved?"), ("prospect", "Yeah."), ("rep", "Great."))
    assert [line.id for line in substantive(lines)] == [1, 2]


def test_yes_and_no_are_answers_not_acknowledgements() -> None:
    lines = _lines(("rep", "We start next week."), ("prospect", "No."), ("prospect", "Yes, okay."))
    assert [line.id for line in substantive(lines)] == [1, 2, 3]


def test_consecutive_rep_lines_become_one_turn_and_prospect_lines_keep_their_ids() -> None:
    lines = _lines(
        ("rep", "Thanks for joining."),
        ("rep", "How do you report today?"),
        ("prospect", "Spreadsheets."),
        ("prospect", "Every Monday."),
        ("rep", "Got it."),
    )
    joined = rep_turns_joined(lines)
    assert [(line.role, line.text) for line in joined] == [
        ("rep", "Thanks for joining. How do you report today?"),
        ("prospect", "Spreadsheets."),
        ("prospect", "Every Monday."),
        ("rep", "Got it."),
    ]
    assert (joined[0].start, joined[0].end) == (1.0, 2.5)
    assert [line.id for line in joined[1:3]] == [3, 4]


def test_turns_split_where_sentences_end() -> None:
    assert split_sentences("Partly. There is money!  Is it enough? Yes") == [
        "Partly.",
        "There is money!",
        "Is it enough?",
        "Yes",
    ]
