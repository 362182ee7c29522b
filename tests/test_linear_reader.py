"""The shared linear reader (understanding/linear.py): fit, shipped weights keyed by rows and features, k-fold."""

from __future__ import annotations

import logging
import re

import numpy as np
import pytest

from assistant.understanding.linear import Cue, LinearReader

WEATHER = ["明天会下雨吗", "今天外面好冷", "这周末天气怎么样", "Is it going to snow tonight?",
           "The wind is terrible today", "下午有雷阵雨", "It's so humid this week", "气温降到零下了",
           "Will the sun come out later?", "昨晚刮了一夜大风"]
FOOD = ["这家面馆的牛肉面真香", "我中午吃了饺子", "晚饭做个红烧鱼吧", "I had pancakes for breakfast",
        "This soup needs more salt", "楼下新开了一家火锅店", "Let's order sushi tonight", "她最爱吃糖醋排骨",
        "The bread here is always fresh", "早餐喝了一碗小米粥"]


def _rows(extra: list[dict] | None = None) -> list[dict]:
    return ([{"text": t, "topic": "weather"} for t in WEATHER] + [{"text": t, "topic": "food"} for t in FOOD]
            + (extra or []))


def _reader(tmp_path, rows: list[dict], cues=()) -> LinearReader:
    return LinearReader("topic", lambda: rows, lambda r: r["topic"], tmp_path / "topic.npz", cues)


def test_fit_reads_lines_it_was_not_fitted_on(tmp_path):
    reader = _reader(tmp_path, _rows())
    assert reader.best("外面在下大雪")[0] == "weather"
    assert reader.best("What should we cook for dinner?")[0] == "food"
    p = reader.probabilities("我想吃烤鸭")
    assert set(p) == {"weather", "food"} and abs(sum(p.values()) - 1) < 1e-5 and p["food"] > 0.5


def test_cue_columns_follow_language_and_tail():
    cue = Cue("ends_in_question", re.compile(r"[吗？]$"), en=re.compile(r"\?$"), tail=2)
    reader = LinearReader("x", list, lambda r: "", None, (cue,), cue_scale=0.5)  # type: ignore[arg-type]
    assert reader.cue_columns(["会下雨吗", "Rain?", "Rain.", "下雨？ok"]).ravel().tolist() == [1.0, 1.0, 0.0, 0.0]


def test_shipped_weights_are_used_until_rows_or_features_change(tmp_path, caplog):
    rows = _rows()
    reader = _reader(tmp_path, rows)
    path = reader.build()
    shipped = np.load(path)["w"].copy()
    caplog.set_level(logging.INFO, logger="assistant.understanding.linear")

    fresh = _reader(tmp_path, rows)
    assert np.array_equal(fresh.model()[0], shipped)
    assert "learning" not in caplog.text

    changed = _reader(tmp_path, _rows([{"text": "Thunder rolled all night", "topic": "weather"}]))
    assert changed.digest() != fresh.digest()
    w, _ = changed.model()
    assert "learning the topic reading" in caplog.text and not np.array_equal(w, shipped)

    caplog.clear()
    with_cue = _reader(tmp_path, rows, (Cue("question", re.compile(r"[吗?？]")),))
    assert with_cue.digest() != fresh.digest()  # the feature definition is part of the key
    assert with_cue.model()[0].shape[0] == shipped.shape[0] + 1
    assert "learning the topic reading" in caplog.text

    relabelled = _reader(tmp_path, [dict(r, topic="other" if r["text"] == WEATHER[0] else r["topic"]) for r in rows])
    assert relabelled.digest() != fresh.digest()


def test_k_fold_predicts_each_row_without_it(tmp_path):
    # a label seen on one row only cannot be predicted out of fold: the folds really hold rows out
    rows = _rows([{"text": "我的猫今天很乖", "topic": "pets"}])
    run = _reader(tmp_path, rows).cross_validate(folds=4)
    assert run.p.shape == (len(rows), 3) and np.allclose(run.p.sum(1), 1)
    lone = run.texts.index("我的猫今天很乖")
    assert run.p[lone].argmax() != run.classes.index("pets")
    assert run.accuracy >= 0.8
    assert run.column("food").shape == (len(rows),)


@pytest.mark.parametrize("module", ["asking", "decision"])
def test_shipped_readers_are_current(module):
    """The shipped .npz files were learnt from today's lines and features (no retraining at first use)."""
    import importlib

    mod = importlib.import_module(f"assistant.understanding.{module}")
    readers = getattr(mod, "_READERS", None) or {"decision": mod.READER}
    for reader in readers.values():
        with np.load(reader.shipped) as z:
            assert str(z["digest"]) == reader.digest(), f"rebuild with python -m assistant.understanding.{module}"
