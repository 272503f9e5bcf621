"""Group speaker embeddings into speakers: spectral clustering, with a silhouette estimate of how many.

numpy only. Hour-long calls give thousands of windows; the eigen-decomposition runs on an evenly spaced
sample of at most `MAX_POINTS`, and every window then joins the nearest cluster centre."""

from __future__ import annotations

import numpy as np

MAX_POINTS = 800
# Row-wise pruning keeps each window's closest neighbours only, so the affinity graph falls apart into
# one block per speaker (Park et al., "auto-tuning spectral clustering", 2019). A fifth of the points
# keeps a short speaker's windows connected to each other.
KEEP_FRACTION = 0.2
# Sales calls have two people on them: another count must beat the silhouette of two by this factor.
# (The eigengap, the textbook estimate, picked 1 or 4 speakers on the two-speaker pyannote sample.)
TWO_SPEAKER_PRIOR = 1.5
MIN_POINTS_TO_SPLIT = 8  # under about 3 s of speech there is too little to tell voices apart


def cluster_speakers(embeddings: np.ndarray, *, num_speakers: int | None = None, max_speakers: int = 8) -> np.ndarray:
    """Cluster ids (0..k-1, numbered by first appearance) for unit-length embeddings in time order."""
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=int)
    if num_speakers == 1 or n < (2 if num_speakers else MIN_POINTS_TO_SPLIT):
        return np.zeros(n, dtype=int)
    # Centring removes what every window shares (channel, microphone, language), leaving the voices.
    centred = embeddings - embeddings.mean(axis=0)
    centred /= np.linalg.norm(centred, axis=1, keepdims=True) + 1e-12
    sample = np.linspace(0, n - 1, min(n, MAX_POINTS)).round().astype(int)
    points = centred[sample]
    eigenvectors = _spectrum(points)
    if num_speakers:
        k = min(num_speakers, len(points))
        sample_labels = _kmeans(eigenvectors[:, :k], k)
    else:
        k, sample_labels = _estimate(points, eigenvectors, max_speakers)
    centres = np.stack([points[sample_labels == c].mean(axis=0) for c in range(k) if np.any(sample_labels == c)])
    labels = np.argmax(centred @ centres.T, axis=1)
    return _renumber(labels)


def _spectrum(points: np.ndarray) -> np.ndarray:
    """Eigenvectors of the normalised Laplacian of the pruned affinity, smallest eigenvalue first."""
    affinity = np.clip(points @ points.T, 0.0, None)
    keep = max(2, int(KEEP_FRACTION * len(points)))
    threshold = -np.sort(-affinity, axis=1)[:, keep - 1 : keep]
    pruned = np.where(affinity >= threshold, affinity, 0.0)
    pruned = (pruned + pruned.T) / 2
    np.fill_diagonal(pruned, 0.0)
    degree = pruned.sum(axis=1) + 1e-12
    scale = 1.0 / np.sqrt(degree)
    laplacian = np.eye(len(points)) - scale[:, None] * pruned * scale[None, :]
    return np.linalg.eigh(laplacian)[1]


def _estimate(points: np.ndarray, eigenvectors: np.ndarray, max_speakers: int) -> tuple[int, np.ndarray]:
    """The count from 2 to `max_speakers` whose clusters have the best silhouette, two favoured."""
    distance = 1.0 - points @ points.T
    best: tuple[float, int, np.ndarray] | None = None
    for k in range(2, min(max_speakers, len(points) - 1) + 1):
        labels = _kmeans(eigenvectors[:, :k], k)
        score = _silhouette(distance, labels) * (TWO_SPEAKER_PRIOR if k == 2 else 1.0)
        if best is None or score > best[0]:
            best = (score, k, labels)
    assert best is not None  # MIN_POINTS_TO_SPLIT leaves room for k = 2
    return best[1], best[2]


def _silhouette(distance: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette: how much closer each point is to its own cluster than to the next nearest one."""
    clusters = np.unique(labels)
    if len(clusters) < 2:
        return -1.0
    # Mean distance from every point to every cluster; a point's own cluster excludes the point itself.
    sums = np.stack([distance[:, labels == c].sum(axis=1) for c in clusters], axis=1)
    sizes = np.array([np.sum(labels == c) for c in clusters], dtype=float)
    own = np.searchsorted(clusters, labels)
    rows = np.arange(len(labels))
    own_sizes = sizes[own] - 1
    inside = np.where(own_sizes > 0, sums[rows, own] / np.maximum(own_sizes, 1), 0.0)
    means = sums / sizes[None, :]
    means[rows, own] = np.inf
    nearest = means.min(axis=1)
    scores = np.where(own_sizes > 0, (nearest - inside) / np.maximum(np.maximum(nearest, inside), 1e-12), 0.0)
    return float(scores.mean())


def _kmeans(vectors: np.ndarray, k: int, iterations: int = 50) -> np.ndarray:
    """k-means on the spectral coordinates, seeded by farthest points so it is deterministic."""
    rows = vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12)
    seeds = [0]
    for _ in range(1, k):
        distance = np.min(((rows[:, None, :] - rows[None, seeds, :]) ** 2).sum(axis=2), axis=1)
        seeds.append(int(np.argmax(distance)))
    centres = rows[seeds]
    labels = np.zeros(len(rows), dtype=int)
    for _ in range(iterations):
        new = np.argmin(((rows[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
        if np.array_equal(new, labels) and _ > 0:
            break
        labels = new
        centres = np.stack([rows[labels == c].mean(axis=0) if np.any(labels == c) else centres[c] for c in range(k)])
    return labels


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Number clusters 0, 1, ... in the order they first speak."""
    order: dict[int, int] = {}
    for label in labels.tolist():
        order.setdefault(label, len(order))
    return np.array([order[label] for label in labels.tolist()], dtype=int)
