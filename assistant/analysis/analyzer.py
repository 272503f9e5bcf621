"""Analyse one call: summary, next steps, qualification with evidence, objections, themes, competitors.

Shaped for a small local model (see DESIGN.md): the numbered transcript is one shared prompt prefix, which
llama.cpp keeps cached, and each narrow question follows it. The model states values and points at line
ids drawn from an enum; quotes are always the transcript's own words, and claims without them are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

import prompts
from assistant.analysis.answers import answers_to
from assistant.analysis.candidates import CandidateFinder, Embeds
from assistant.analysis.denials import denial
from assistant.analysis.grounding import is_stated, lexical_matches, words
from assistant.analysis.lines import Line, rep_turns_joined, substantive, windows
from assistant.analysis.mentions import mentions
from assistant.analysis.questions import (
    SummaryAnswer,
    SummaryMergeAnswer,
    criterion_answer_model,
    objections_answer_model,
)
from assistant.analysis.results import (
    AnalysisResult,
    CriterionResult,
    Mention,
    NextStep,
    Objection,
    Qualification,
    Status,
)
from assistant.analysis.taxonomy import Categoriser
from assistant.analysis.terms import first_term
from assistant.llm.base import LLM, ChatMessage
from assistant.llm.structured import complete_structured
from assistant.qualification.definition import Criterion, Framework

# Room left in the context for the task text and the answer.
RESERVED_TOKENS = 1500
STATUS_RANK: dict[str, int] = {"met": 3, "partial": 2, "not_met": 1, "unknown": 0}
OBJECTION_PROBES = [
    "It costs more than we can pay right now.",
    "Another vendor quoted us a lower price.",
    "I'm worried about how long implementation will take.",
    "We already use a different tool for this.",
    "I'm not sure this is a priority for us this year.",
    "My manager has to approve before I commit.",
    "Our security team will have concerns about the data.",
    "Will it integrate with our existing systems?",
    "We can't sign a multi-year contract.",
    "My bigger worry is that our team has no time for this.",
    "The other thing is security and where our data is stored.",
    "They gave us a lower price.",
]
MIN_CONCERN_SIMILARITY = 0.25
MIN_EVIDENCE_SIMILARITY = 0.45
# Short theme labels score low against whole sentences with MiniLM (about 0.25 for a right match).
MIN_THEME_SIMILARITY = 0.2


@dataclass
class _Tally:
    dropped: int = 0
    notes: list[str] = field(default_factory=list)

    def drop(self, why: str) -> None:
        self.dropped += 1
        self.notes.append(why)


class Analyzer:
    """Runs the analysis questions against an injected LLM and embedder."""

    def __init__(
        self,
        llm: LLM,
        embedder: Embeds,
        *,
        context_tokens: int,
        retries: int,
        known_competitors: tuple[str, ...] = (),
    ) -> None:
        self.llm = llm
        self.embedder = embedder
        self.window_tokens = max(1000, context_tokens - RESERVED_TOKENS)
        self.retries = retries
        self.known_competitors = known_competitors
        self._categoriser = Categoriser(embedder)

    def analyse(self, title: str, lines: list[Line], framework: Framework, criteria_version: int) -> AnalysisResult:
        """The full analysis of a call given as numbered lines."""
        tally = _Tally()
        finder = CandidateFinder(self.embedder, lines)
        parts = windows(substantive(lines), self.window_tokens)
        summaries: list[SummaryAnswer] = []
        criteria: dict[str, CriterionResult] = {}
        objections: dict[int, Objection] = {}
        for part in parts:
            prefix = self._prefix(title, part)
            summaries.append(self._ask(prefix, prompts.render("summary"), SummaryAnswer))
            for criterion in framework.criteria:
                found = self._criterion(prefix, part, criterion, finder, tally)
                kept = criteria.get(criterion.key)
                if kept is None or STATUS_RANK[found.status] > STATUS_RANK[kept.status]:
                    criteria[criterion.key] = found
            for objection in self._objections(prefix, part, finder, tally):
                objections.setdefault(int(objection[0]), objection[1])
        summary = self._merge_summaries(summaries)
        results = [criteria[c.key] for c in framework.criteria]
        return AnalysisResult(
            summary=summary,
            next_steps=_grounded_steps(summaries, lines, tally),
            qualification=_qualification(framework, criteria_version, results),
            objections=list(objections.values()),
            themes=self._mentions("theme", [t for s in summaries for t in s.themes], finder, tally),
            pain_points=self._mentions("pain point", [p for s in summaries for p in s.pain_points], finder, tally),
            feature_requests=self._mentions(
                "feature request", [f for s in summaries for f in s.feature_requests], finder, tally
            ),
            competitors=_competitors(
                self.known_competitors, [c for s in summaries for c in s.competitors], lines, tally
            ),
            dropped_evidence=tally.dropped,
        )

    def _prefix(self, title: str, lines: list[Line]) -> list[ChatMessage]:
        transcript = prompts.render("transcript", title=title, lines=rep_turns_joined(lines))
        return [
            {"role": "system", "content": prompts.render("system")},
            {"role": "user", "content": transcript},
        ]

    def _ask(self, prefix: list[ChatMessage], task: str, output: type[Any], max_tokens: int = 600) -> Any:
        # The task goes after the transcript in the same user message so every question shares the
        # transcript as a token-identical prefix (llama.cpp's prompt cache; hosted providers cache too).
        messages: list[ChatMessage] = [
            prefix[0],
            {"role": "user", "content": prefix[1]["content"] + "\n\n" + task},
        ]
        return complete_structured(self.llm, messages, output, retries=self.retries, max_tokens=max_tokens)

    def _criterion(
        self, prefix: list[ChatMessage], part: list[Line], criterion: Criterion, finder: CandidateFinder, tally: _Tally
    ) -> CriterionResult:
        prospect = [line for line in part if line.role in ("prospect", "unknown")]
        candidates = finder.rank(criterion.probes, prospect, k=5, by_sentence=True)
        model = criterion_answer_model([line.id for line in prospect])
        task = prompts.render("qualify_criterion", criterion=criterion, candidates=candidates)
        answer: BaseModel = self._ask(prefix, task, model, max_tokens=300)
        data = answer.model_dump()
        status: Status = data["status"]
        by_id = {line.id: line for line in prospect}
        chosen = [by_id[i] for i in dict.fromkeys(data["evidence_lines"]) if i in by_id]
        if len(chosen) < len(data["evidence_lines"]):
            tally.drop(f"{criterion.key}: evidence pointed at a line that is not the prospect's")
        value = data.get("value") or ""
        # The stated value, found by its numbers and names, beats the model's pointer; then the pointer;
        # then the prospect line closest in meaning to the value.
        stated = lexical_matches(value, prospect)
        evidence_lines = stated[:2] or chosen[:2] if status != "unknown" else []
        if status in ("met", "partial") and not evidence_lines and value:
            match = finder.best_match(f"{criterion.name}: {value}", prospect, min_similarity=MIN_EVIDENCE_SIMILARITY)
            evidence_lines = [match] if match else []
        if status in ("met", "partial") and not evidence_lines:
            tally.drop(f"{criterion.key}: '{status}' without prospect evidence, reported as unknown")
            status = "unknown"
        answered = answers_to(criterion.question_terms, part)
        if status == "met" and criterion.met_needs:
            # The model often points at the wrong line; its value's lines and the prospect's direct answers to
            # the rep's questions on the criterion may state what "met" needs instead.
            stating = [
                line
                for line in dict.fromkeys([*evidence_lines, *stated, *chosen, *(line for _, line in answered)])
                if mentions(criterion.met_needs, line.text)
            ]
            if stating:
                evidence_lines = stating[:2]
            else:
                tally.drop(f"{criterion.key}: 'met' but the prospect's words state no {criterion.met_needs}")
                # Lines that state no amount or date may still be about budget or timing, vaguely; lines that
                # name no one who decides are not about authority at all.
                status = "unknown" if criterion.met_needs == "person" else "partial"
                evidence_lines = evidence_lines if status == "partial" else []
        rationale = data.get("rationale") or ""
        if status == "met" and (
            hedged := next(
                (said for line in evidence_lines if (said := first_term(criterion.hedge_terms, line.text))), None
            )
        ):
            status, rationale = "partial", f'The prospect hedges: "{hedged}".'
        if status != "not_met" and (denying := _denials(criterion, status, evidence_lines, prospect)):
            status, value = "not_met", ""
            evidence_lines = [line for line, _ in denying[:2]]
            rationale = f'The prospect rules it out: "{denying[0][1]}".'
        if status == "unknown" and answered:
            question, line = answered[0]
            status, value, evidence_lines = "partial", "", [line]
            rationale = f'The prospect answered "{question}", but not clearly enough for the model to call it met.'
        return CriterionResult(
            key=criterion.key,
            name=criterion.name,
            required=criterion.required,
            status=status,
            value=(value or None) if status != "unknown" else None,
            evidence=[line.evidence() for line in evidence_lines],
            rationale=rationale,
        )

    def _objections(
        self, prefix: list[ChatMessage], part: list[Line], finder: CandidateFinder, tally: _Tally
    ) -> list[tuple[int, Objection]]:
        prospect = [line for line in part if line.role in ("prospect", "unknown")]
        candidates = finder.rank(OBJECTION_PROBES, prospect, k=8)
        task = prompts.render("objections", candidates=candidates)
        # Only the candidates are selectable: offered every prospect line, the model lists them all.
        answer = self._ask(prefix, task, objections_answer_model([line.id for line in candidates]))
        found: list[tuple[int, Objection]] = []
        for item in answer.objections:
            concern = finder.embed(item.summary) if item.summary.strip() else None
            line = self._locate_concern(concern, int(item.line), prospect, finder) if concern is not None else None
            if concern is None or line is None:
                tally.drop(f"objection '{item.summary}' matches no prospect line")
                continue
            reply = next((ln for ln in part if ln.id > line.id and ln.role == "rep"), None)
            objection = Objection(
                **line.evidence().model_dump(),
                category=self._categoriser.category(finder.vector(line), concern),
                summary=item.summary,
                response=reply.evidence() if reply else None,
                handled=bool(item.handled) and reply is not None,
            )
            found.append((line.id, objection))
        return found

    @staticmethod
    def _locate_concern(
        concern: np.ndarray, pointed: int, prospect: list[Line], finder: CandidateFinder
    ) -> Line | None:
        """The model's line if it is about the concern (the embedding of the model's words for it), else the
        prospect line that is (DESIGN.md: the model names concerns well but points at the wrong line about
        half the time)."""
        if not prospect:
            return None
        scores = finder.similarities(concern, prospect)
        best = int(np.argmax(scores))
        if float(scores[best]) < MIN_CONCERN_SIMILARITY:
            return None
        at = next((i for i, line in enumerate(prospect) if line.id == pointed), None)
        if at is not None and scores[at] >= scores[best] - 0.1:
            return prospect[at]
        return prospect[best]

    def _merge_summaries(self, summaries: list[SummaryAnswer]) -> str:
        if len(summaries) == 1:
            return summaries[0].summary
        task = prompts.render("summary_merge", parts=[s.summary for s in summaries])
        messages: list[ChatMessage] = [
            {"role": "system", "content": prompts.render("system")},
            {"role": "user", "content": task},
        ]
        merged = complete_structured(self.llm, messages, SummaryMergeAnswer, retries=self.retries, max_tokens=400)
        return merged.summary

    def _mentions(self, what: str, labels: list[str], finder: CandidateFinder, tally: _Tally) -> list[Mention]:
        """Short labels the model gave (themes, pain points, feature requests), each with the prospect line
        that says it; a label no prospect line is about is dropped."""
        found: dict[str, Mention] = {}
        prospect = [line for line in finder.lines if line.role != "rep"]
        for label in (t.strip() for t in labels):
            if not label or label.lower() in found:
                continue
            line = finder.best_match(label, prospect, min_similarity=MIN_THEME_SIMILARITY)
            if line is None:
                tally.drop(f"{what} '{label}' not found in the transcript")
                continue
            found[label.lower()] = Mention(name=label, **line.evidence().model_dump())
        return list(found.values())


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", " ", text.lower()).strip()


def _competitors(configured: tuple[str, ...], detected: list[str], lines: list[Line], tally: _Tally) -> list[Mention]:
    """Competitors named in the call, from the configured list and the model's names, each with the first line
    that says it. A name the model gave that the call never says is a dropped claim; a configured name that
    this call does not say is simply absent."""
    found: dict[str, Mention] = {}
    for name, from_model in [*((c, False) for c in configured), *((c, True) for c in detected)]:
        key = _normalise(name)
        if not key or key in found:
            continue
        pattern = re.compile(rf"\b{re.escape(key)}\b")
        line = next((ln for ln in lines if pattern.search(_normalise(ln.text))), None)
        if line is not None:
            found[key] = Mention(name=name.strip(), **line.evidence().model_dump())
        elif from_model:
            tally.drop(f"competitor '{name}' is not named in the transcript")
    return list(found.values())


def _grounded_steps(summaries: list[SummaryAnswer], lines: list[Line], tally: _Tally) -> list[NextStep]:
    """Next steps, each once, with an owner and due date only where the call says them."""
    # Speakers' names and roles count as said: "owner: Rep" is how the model names the seller.
    transcript_words = {"rep", "prospect"}.union(*(words(f"{line.text} {line.speaker}") for line in lines))
    steps: dict[str, NextStep] = {}
    for step in (s for summary in summaries for s in summary.next_steps):
        kept = NextStep(text=step.text)
        for field_name in ("owner", "due"):
            value = getattr(step, field_name)
            if value and is_stated(value, transcript_words):
                setattr(kept, field_name, value)
            elif value:
                tally.drop(f"next step {field_name} '{value}' is not said in the call")
        steps.setdefault(_normalise(step.text), kept)
    return list(steps.values())


def _denials(
    criterion: Criterion, status: Status, evidence_lines: list[Line], prospect: list[Line]
) -> list[tuple[Line, str]]:
    """The prospect lines that deny the criterion, with the denying words. A denial beats the model's reading of
    other lines: a prospect who works out the list price ("ten agents would be 450 a month") and says "I don't
    have any budget" has no budget, whether the model called it met or partial. "We fixed this last year, so
    it's not really a problem anymore" is no need even as the model's own evidence. Not counted: the lines the
    model read as partial, and a "met" line that states what the criterion needs (an amount, a date), whose
    denial is about something else."""

    def kept(line: Line) -> bool:
        return line in evidence_lines and (
            status == "partial" or bool(criterion.met_needs and mentions(criterion.met_needs, line.text))
        )

    return [
        (line, said) for line in prospect if not kept(line) and (said := denial(criterion.not_met_terms, line.text))
    ]


def _qualification(framework: Framework, version: int, results: list[CriterionResult]) -> Qualification:
    verdict, blocking = framework.verdict_rule.decide([(r.key, r.required, r.status) for r in results])
    return Qualification(
        framework=framework.framework,
        criteria_version=version,
        verdict=verdict,
        blocking=blocking,
        criteria=results,
    )
