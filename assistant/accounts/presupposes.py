"""Does another account's need presuppose a structure this account says it lacks? Two readers, learnt.

A need from a similar account often rests on how that account is built: "分院之间的病历不通"
needs several sites, "司机跑一趟油耗多少没人管得住" a fleet and drivers, "冷藏车路上温度没人看得到"
a cold chain, "每个月算提成都要吵一架" staff paid on commission. For an account whose profile or
meetings say it lacks that structure ("就这一家店，四张椅子", "我们自己没有车，送货全找第三方",
"冷链我们不做", "我们员工都是固定工资") the need is no hypothesis at all, however close the trades are.

The two sentences seldom share words or a topic (records vs. "one shop"), so this is no
similarity, and a pairwise reader over the two vectors (the settled reader's pair features) did not
carry to new phrasings: with the hypotheses and profile sentences of a fold both held out it caught
30% of the lacking pairs while taking 9% of the fitting ones, and none of a structure never labelled. It is read as two labelled readings that meet on a
structure (``STRUCTURES``: several branches, a fleet, cold chain, commission pay, field staff,
delivery, export, night shifts):

* ``HYPOTHESIS``: which structure a need presupposes, or ``none``;
* ``PROFILE``: which structure a sentence of the account's profile or meetings says it lacks, or
  ``none`` (it has it, or says something else);

and a hypothesis is ruled out when one of this account's sentences lacks the structure it
presupposes: P(hypothesis presupposes s) × P(sentence lacks s) ≥ ``LACKS``. Labelled lines:
``data/presupposes_lines.jsonl`` (``kind`` hypothesis / profile), zh and en, trades other than the
benchmark's. ``python -m assistant.accounts.presupposes`` rebuilds both readers' weights and prints
their k-fold figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from assistant.understanding.linear import LinearReader, jsonl_rows

DATA = Path(__file__).parent / "data"
LINES = DATA / "presupposes_lines.jsonl"
STRUCTURES = ("branches", "fleet", "cold_chain", "commission", "field_staff", "delivery", "export", "night_shift")
# P(presupposes s) × P(lacks s) at or above which a sentence of this account rules a hypothesis
# out; set high: each candidate is read with all of this account's sentences, and one wrong drop
# loses a good hypothesis (k-fold figures: ``calibrate``).
LACKS = 0.4


def _rows(kind: str) -> list[dict]:
    return [r for r in jsonl_rows(LINES) if r["kind"] == kind]


HYPOTHESIS = LinearReader("presupposed structure", lambda: _rows("hypothesis"), lambda r: r["structure"],
                          DATA / "presupposes_hypothesis.npz", l2=1e-5, steps=1000)
PROFILE = LinearReader("lacked structure", lambda: _rows("profile"), lambda r: r["lacks"],
                       DATA / "presupposes_profile.npz", l2=1e-5, steps=1000)


def _columns(reader: LinearReader, texts: Sequence[str], vectors: np.ndarray | None) -> np.ndarray:
    """(texts, STRUCTURES) probabilities of one reader."""
    classes = reader.model()[1]
    p = reader.probability_rows(list(texts), vectors)
    return np.stack([p[:, classes.index(s)] if s in classes else np.zeros(len(texts)) for s in STRUCTURES], axis=1)


def presupposed(texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
    """P(the need presupposes each structure), (texts, STRUCTURES); vectors: ``semantic.encode``'s."""
    return _columns(HYPOTHESIS, texts, vectors) if len(texts) else np.zeros((0, len(STRUCTURES)))


SAYS_LACK = ("negation", "lacks", "only_one")  # cues of the lexicon: a sentence saying it lacks something says so


def lacked(texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
    """P(the sentence says the account lacks each structure), (texts, STRUCTURES); 0 for a sentence
    without a negation, a ``lacks`` or an ``only_one`` cue ("司机签完的回单要交回来" says it has drivers)."""
    from assistant.understanding import lexicon

    if not len(texts):
        return np.zeros((0, len(STRUCTURES)))
    says = np.array([any(lexicon.first(c, t) for c in SAYS_LACK) for t in texts], dtype=np.float32)
    return _columns(PROFILE, texts, vectors) * says[:, None]


def ruled_out(hypothesis_p: np.ndarray, profile: Sequence[str], profile_p: np.ndarray,
              at: float = LACKS) -> tuple[str, str, float]:
    """(this account's sentence, the structure, the product P) when a sentence of ``profile`` says
    the account lacks a structure the hypothesis presupposes (``hypothesis_p``: ``presupposed``
    rows of the hypothesis and what its account said on the topic; their maximum per structure);
    else ("", "", the highest product)."""
    if not len(profile):
        return "", "", 0.0
    h = np.asarray(hypothesis_p).reshape(-1, len(STRUCTURES)).max(axis=0)
    joint = profile_p * h[None, :]
    i, s = np.unravel_index(int(joint.argmax()), joint.shape)
    p = float(joint[i, s])
    return (list(profile)[i], STRUCTURES[s], p) if p >= at else ("", "", p)


def build() -> list[Path]:
    return [HYPOTHESIS.build(), PROFILE.build()]


def calibrate(folds: int = 5) -> dict:  # pragma: no cover - a calibration report
    """k-fold of each reader (accuracy, and share of a structure's lines read as it at 0.6 / of
    ``none`` lines read as some structure at 0.6)."""
    out = {}
    for name, reader in (("hypothesis", HYPOTHESIS), ("profile", PROFILE)):
        run = reader.cross_validate(folds)
        none = run.classes.index("none")
        top = run.p.argmax(axis=1)
        conf = run.p.max(axis=1)
        is_s = run.y != none
        out[name] = {"lines": int(len(run.y)), "accuracy": round(run.accuracy, 3),
                     "structure_read_at_0.6": round(float(((top == run.y) & (conf >= 0.6))[is_s].mean()), 3),
                     "none_read_as_structure_at_0.6": round(float(((top != none) & (conf >= 0.6))[~is_s].mean()), 3)}
    return out


if __name__ == "__main__":  # pragma: no cover
    import json

    print(build())
    print(json.dumps(calibrate(), indent=1))
