"""supplychain.threads: independent calls on a small pool, results in order, serial with one thread."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from sc_fixtures import edges_frame, nodes_frame

from supplychain.graph import build_graph
from supplychain.reach import compute_reach
from supplychain.threads import MAX_THREADS, run_parallel, thread_count


def test_results_in_the_order_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPS_ENGINE_THREADS", "3")
    assert run_parallel(lambda: 1, lambda: "two", lambda: np.arange(3).sum()) == [1, "two", 3]


def test_one_thread_runs_each_call_in_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPS_ENGINE_THREADS", "1")
    assert thread_count() == 1
    caller = threading.get_ident()
    assert run_parallel(threading.get_ident, threading.get_ident) == [caller, caller]


def test_thread_count_default_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEPS_ENGINE_THREADS", raising=False)
    assert 1 <= thread_count() <= MAX_THREADS
    monkeypatch.setenv("DEPS_ENGINE_THREADS", "0")
    assert thread_count() == 1


def test_an_error_of_a_pool_call_is_raised_after_every_call_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPS_ENGINE_THREADS", "2")
    ended = []

    def fails() -> None:
        raise LookupError("boom")

    def slow() -> int:
        ended.append(True)
        return 1

    with pytest.raises(LookupError, match="boom"):
        run_parallel(slow, fails)
    assert ended == [True]


def test_nested_calls_on_the_pool_run_serially(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPS_ENGINE_THREADS", "2")

    def inner() -> list[int]:
        return run_parallel(lambda: 1, lambda: 2)

    assert run_parallel(inner, inner) == [[1, 2], [1, 2]]


def test_graph_and_reach_identical_with_one_and_two_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    nodes = nodes_frame(["a", "b", "c", "d", "e"], finals=["e"])
    edges = pd.concat(
        [
            edges_frame([("a", "c"), ("b", "c"), ("c", "e"), ("d", "e")]),
            edges_frame([("a", "d")], relation="is_type_of"),
        ],
        ignore_index=True,
    )
    results = []
    for threads in ("1", "2"):
        monkeypatch.setenv("DEPS_ENGINE_THREADS", threads)
        graph = build_graph(nodes, edges)
        reach = compute_reach(graph)
        results.append((graph, reach))
    (g1, r1), (g2, r2) = results
    for name in ("in_idx", "out_idx", "level", "order"):
        assert np.array_equal(getattr(g1, name), getattr(g2, name))
    assert len(g1.levels_and) == len(g2.levels_and)
    for name in ("idom", "downstream_count", "dominated_count", "downstream_weight", "market_bits"):
        assert np.array_equal(getattr(r1, name), getattr(r2, name))
