"""Benchmark the insight index: embedding throughput, bulk add time and search latency at N items.

Embedding 100k texts would take minutes, so a few thousand generated sentences are embedded for real and
every indexed item reuses one of those vectors plus a little noise: the index sees realistic, clustered
vectors, and every query is a real sentence embedded inside `search`, as in production.

    .venv/bin/python -m eval.bench_index --n 100000
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index import (
    DIMENSIONS,
    Embedder,
    IndexItem,
    InsightIndex,
    open_embedded_client,
    resolve_embedding_model,
)

SUBJECTS = [
    "the price",
    "the implementation",
    "your contract",
    "the onboarding",
    "the integration",
    "support",
]
CONCERNS = [
    "is more than our budget allows this year",
    "would take our team a full quarter",
    "needs sign-off from our CFO first",
    "looks weaker than what Acme showed us",
    "does not cover our Salesforce workflow",
    "worries our security team",
    "is the main reason we are still on spreadsheets",
    "costs us about ten hours a week of manual dispatch",
]
OPENERS = ["Honestly,", "To be fair,", "Look,", "", "I think", "Our VP said", "Right now", "Frankly,"]
QUESTIONS = [
    "what do CFOs object to about pricing",
    "which prospects mention Acme as a competitor",
    "complaints about implementation time",
    "security review concerns",
    "who is still using spreadsheets for dispatch",
    "budget approval problems this quarter",
    "integration with Salesforce",
    "pain points about manual work",
]
CATEGORIES = ["price", "timing", "authority", "competition", "fit", "security", "need"]
ROLES = ["rep", "prospect", "unknown"]


def generate_sentences(count: int, rng: random.Random) -> list[str]:
    """Varied call-like sentences from templates."""
    out = []
    for i in range(count):
        opener = rng.choice(OPENERS)
        text = f"{opener} {rng.choice(SUBJECTS)} {rng.choice(CONCERNS)}".strip()
        # Numbers make otherwise identical templates distinct texts, as real quotes are.
        out.append(f"{text[0].upper()}{text[1:]}, and we have {rng.randint(2, 400)} reps ({i}).")
    return out


def synthetic_items(n: int, base: np.ndarray, sentences: list[str], seed: int) -> tuple[list[IndexItem], np.ndarray]:
    """N items whose vectors are real sentence vectors plus noise, with the app's metadata convention."""
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(base), size=n)
    # Noise of this size keeps each copy at cosine ~0.9 to its source: clusters, not duplicates.
    vectors = base[pick] + rng.normal(scale=0.025, size=(n, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    # Roughly what assistant/indexing.py writes per call: every prospect line as a "quote", a few insights.
    kind_share = {
        "quote": 0.70,
        "evidence": 0.08,
        "objection": 0.06,
        "theme": 0.06,
        "competitor": 0.04,
        "pain_point": 0.04,
        "summary": 0.02,
    }
    kinds = rng.choice(list(kind_share), size=n, p=list(kind_share.values()))
    now = int(time.time())
    items = []
    for i in range(n):
        call = i // 20  # about 20 insights per call
        start = float(rng.uniform(0, 3600))
        items.append(
            IndexItem(
                id=f"item-{i}",
                text=sentences[pick[i]],
                metadata={
                    "call_id": f"call-{call}",
                    "kind": str(kinds[i]),
                    "category": CATEGORIES[int(rng.integers(len(CATEGORIES)))],
                    "start": round(start, 2),
                    "end": round(start + float(rng.uniform(2, 20)), 2),
                    "speaker_role": ROLES[int(rng.integers(len(ROLES)))],
                    "speaker": f"SPEAKER_0{int(rng.integers(2))}",
                    "call_title": f"Discovery call {call}",
                    "call_date": time.strftime("%Y-%m-%d", time.gmtime(now - call * 600)),
                    "call_ts": now - call * 600,
                },
            )
        )
    return items, vectors.astype(np.float32)


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95 and max in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000


def time_variants(variants: list[tuple[str, Callable[[str], Any]]], queries: list[str]) -> dict[str, list[float]]:
    """Wall time of each variant on each query, interleaved so background work (Chroma settling after the
    bulk add, other processes) spreads over all rows instead of skewing one."""
    for _, call in variants:
        for q in queries[:2]:
            call(q)
    samples: dict[str, list[float]] = {name: [] for name, _ in variants}
    for q in queries:
        for name, call in variants:
            began = time.perf_counter()
            call(q)
            samples[name].append(time.perf_counter() - began)
    return samples


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="items in the index")
    parser.add_argument("--real", type=int, default=2_000, help="sentences embedded for real")
    parser.add_argument("--queries", type=int, default=200, help="timed searches per variant")
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads (app default 1)")
    parser.add_argument("--dir", type=Path, default=None, help="Chroma directory (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="bench-index-"))
    rows: list[tuple[str, str]] = []

    embedder = Embedder(*resolve_embedding_model(None), threads=args.threads)
    embedder.embed(["warm up"])
    sentences = generate_sentences(args.real, rng)
    began = time.perf_counter()
    base = embedder.embed(sentences)
    embed_s = time.perf_counter() - began
    rows.append((f"embed {args.real} sentences, {args.threads} threads", f"{args.real / embed_s:,.0f} sentences/s"))

    index = InsightIndex(open_embedded_client(workdir), embedder, collection="bench")
    if args.dir is not None and index.count() == args.n:
        rows.append((f"add {args.n:,} items", "skipped: reusing the index in --dir"))
    else:
        items, vectors = synthetic_items(args.n, base, sentences, args.seed)
        began = time.perf_counter()
        index.add(items, embeddings=vectors)
        add_s = time.perf_counter() - began
        rows.append((f"add {index.count():,} items (precomputed vectors)", f"{add_s:.1f} s ({args.n / add_s:,.0f}/s)"))

    queries = [
        f"{rng.choice(QUESTIONS)} {rng.choice(['', 'lately', 'in Q3', 'from enterprise deals'])}".strip()
        for _ in range(args.queries)
    ]
    last_call = f"call-{(args.n - 1) // 20}"
    # Items are stamped relative to when they were added; with a reused index the windows shift a little.
    cutoff = int(time.time()) - 30 * 86400
    recent = int(time.time()) - 2 * 86400
    variants: list[tuple[str, Callable[[str], Any]]] = [
        ("embed query only", embedder.embed_one),
        ("search, no filter", lambda q: index.search(q, k=args.k)),
        ("search, kind=objection (~6%)", lambda q: index.search(q, k=args.k, where={"kind": "objection"})),
        (
            "search, kind + call_ts >= 30 days (~5%)",
            lambda q: index.search(q, k=args.k, where={"kind": "objection", "call_ts": {"$gte": cutoff}}),
        ),
        (
            "search, kind + call_ts >= 2 days (~0.3%)",
            lambda q: index.search(q, k=args.k, where={"kind": "objection", "call_ts": {"$gte": recent}}),
        ),
        (
            "search, one call_id (~20 items)",
            lambda q: index.search(q, k=args.k, where={"call_id": last_call}),
        ),
    ]
    for name, samples in time_variants(variants, queries).items():
        p50, p95, worst = percentiles(samples)
        rows.append((name, f"p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   max {worst:6.1f} ms"))

    size_mb = sum(f.stat().st_size for f in workdir.rglob("*") if f.is_file()) / 1e6
    rows.append(("Chroma directory size", f"{size_mb:,.0f} MB"))
    rows.append(("peak RSS", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB"))

    width = max(len(name) for name, _ in rows)
    print(f"\ninsight index benchmark: n={args.n:,}, k={args.k}, {args.queries} queries per row\n")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    if args.dir is None:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
