"""Diarization error rate against an RTTM reference, as NIST md-eval scores it.

DER = (missed speech + false alarm + speaker confusion) / reference speech. A collar of `collar` seconds
on each side of every reference turn boundary is not scored (the usual 0.25 s), overlapping reference
speech is scored, and reference and hypothesis speakers are paired one-to-one to maximise the time they
agree (Hungarian algorithm). Scored on the elementary intervals between all boundaries, so it is exact.

    python -m eval.der reference.rttm hypothesis.rttm [--collar 0.25]
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

Turn = tuple[float, float, str]  # start, end, speaker


@dataclass(frozen=True)
class DERResult:
    der: float
    missed: float
    false_alarm: float
    confusion: float
    reference_speech: float


def read_rttm(path: Path) -> list[Turn]:
    """SPEAKER lines of an RTTM file as (start, end, speaker)."""
    turns: list[Turn] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 8 and fields[0] == "SPEAKER":
            start, duration = float(fields[3]), float(fields[4])
            turns.append((start, start + duration, fields[7]))
    return turns


def write_rttm(turns: Iterable[Turn], *, file_id: str = "call") -> str:
    """RTTM text for `turns`."""
    return "".join(
        f"SPEAKER {file_id} 1 {start:.3f} {end - start:.3f} <NA> <NA> {speaker} <NA> <NA>\n"
        for start, end, speaker in turns
    )


def diarization_error_rate(reference: Sequence[Turn], hypothesis: Sequence[Turn], *, collar: float = 0.25) -> DERResult:
    """DER of `hypothesis` against `reference`, ignoring `collar` seconds around each reference boundary."""
    excluded = _merge([(b - collar, b + collar) for s, e, _ in reference for b in (s, e)]) if collar > 0 else []
    points = sorted({t for s, e, _ in [*reference, *hypothesis] for t in (s, e)} | {t for r in excluded for t in r})
    ref_names = sorted({spk for *_, spk in reference})
    hyp_names = sorted({spk for *_, spk in hypothesis})
    agree = np.zeros((len(ref_names), len(hyp_names)))
    intervals: list[tuple[float, set[int], set[int]]] = []
    for left, right in itertools.pairwise(points):
        middle, length = (left + right) / 2, right - left
        if length <= 0 or any(a < middle < b for a, b in excluded):
            continue
        active_ref = {ref_names.index(spk) for s, e, spk in reference if s < middle < e}
        active_hyp = {hyp_names.index(spk) for s, e, spk in hypothesis if s < middle < e}
        for r in active_ref:
            for h in active_hyp:
                agree[r, h] += length
        intervals.append((length, active_ref, active_hyp))
    pairs = dict(_best_pairs(agree))
    missed = false_alarm = confusion = total = 0.0
    for length, active_ref, active_hyp in intervals:
        n_ref, n_hyp = len(active_ref), len(active_hyp)
        correct = sum(1 for r in active_ref if pairs.get(r) in active_hyp)
        total += n_ref * length
        missed += max(0, n_ref - n_hyp) * length
        false_alarm += max(0, n_hyp - n_ref) * length
        confusion += (min(n_ref, n_hyp) - correct) * length
    der = (missed + false_alarm + confusion) / total if total else 0.0
    return DERResult(der, missed, false_alarm, confusion, total)


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _best_pairs(agree: np.ndarray) -> list[tuple[int, int]]:
    """Row-column pairs maximising the summed agreement (Hungarian algorithm on the padded square)."""
    size = max(agree.shape) if agree.size else 0
    cost = np.zeros((size, size))
    cost[: agree.shape[0], : agree.shape[1]] = -agree
    # Kuhn-Munkres with potentials (1-indexed arrays, as in the classic O(n^3) formulation).
    u, v = np.zeros(size + 1), np.zeros(size + 1)
    match, way = np.zeros(size + 1, dtype=int), np.zeros(size + 1, dtype=int)
    for row in range(1, size + 1):
        match[0], column = row, 0
        slack, used = np.full(size + 1, np.inf), np.zeros(size + 1, dtype=bool)
        while True:
            used[column] = True
            current, delta, nxt = match[column], np.inf, 0
            for j in range(1, size + 1):
                if not used[j]:
                    reduced = cost[current - 1, j - 1] - u[current] - v[j]
                    if reduced < slack[j]:
                        slack[j], way[j] = reduced, column
                    if slack[j] < delta:
                        delta, nxt = slack[j], j
            for j in range(size + 1):
                if used[j]:
                    u[match[j]] += delta
                    v[j] -= delta
                else:
                    slack[j] -= delta
            column = nxt
            if match[column] == 0:
                break
        while column:
            previous = way[column]
            match[column] = match[previous]
            column = previous
    return [
        (int(match[j]) - 1, j - 1)
        for j in range(1, size + 1)
        if match[j] - 1 < agree.shape[0] and j - 1 < agree.shape[1] and agree[match[j] - 1, j - 1] > 0
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reference", type=Path)
    parser.add_argument("hypothesis", type=Path)
    parser.add_argument("--collar", type=float, default=0.25)
    args = parser.parse_args()
    result = diarization_error_rate(read_rttm(args.reference), read_rttm(args.hypothesis), collar=args.collar)
    print(
        f"DER {result.der:.1%}  (missed {result.missed:.2f} s, false alarm {result.false_alarm:.2f} s, "
        f"confusion {result.confusion:.2f} s of {result.reference_speech:.2f} s reference speech)"
    )


if __name__ == "__main__":
    main()
