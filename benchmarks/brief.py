"""Pre-meeting brief: quality on annotated account histories, and `needs brief` speed on a
large need log (SQLite and a real PostgreSQL server).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/brief.py [--set dev|untuned|v2|v3|all]
        [--needs 100000 --accounts 5000] [--skip-speed] [--skip-quality] [--skip-postgres]
        [--out benchmarks/results/brief.json]

Quality (per account of a history file, each loaded into a fresh SQLite need log with its
trade, meetings, needs, states and quotes; the brief is built without the model, i.e. with
the method cards' questions, so the figure measures what the log and the ranking carry):

* open-item coverage — share of the account's open items present in the brief's text
  (to_verify, left_open, questions); an item counts when any of its terms appears;
  also per kind (promise, question, deferred, hypothesis), from "left open" alone, and how
  many open items the briefs showed (``open_items_shown``: a brief that showed everything
  would cover everything);
* similar-account precision — share of the brief's "同类客户还提到过…" hypotheses whose
  statement is one of the needs the labels name as relevant for this account
  (and recall: share of the labelled ones that were offered), by two judges
  (``similar_against_labels``): "same need" (``similar_precision``: the offered statement
  and the label are restatements of each other) and "same source"
  (``similar_judge_same_source``: the label is the one of the offering account's labels
  nearest to the offered statement or its quote, above a lower threshold), and a third judge
  added beside them, "same sentence" (``similar_judge_same_sentence``: the offered quote is one
  of the sentences of that account the label is nearest to, i.e. the label was written from it).

Sets: ``benchmarks/data/account_histories_dev.json`` (written for tuning: 12 accounts of
logged needs with states, similar labels by need id, and 8 accounts of meeting transcripts,
zh and en, with the four kinds of open items); ``benchmarks/data/untuned/account_histories.json``
(v1, written blind; seen: its failures were looked at and the similar-account thresholds were
calibrated on it and dev), ``account_histories_v2.json``, ``account_histories_v3.json`` and
``account_histories_v4.json`` (written blind; clean until the 29 hypotheses offered on them were judged by
hand, ``similar_offers_judged.json``: the rules for what an account has not / has were set on those, so
v2-v4 are seen since), ``account_histories_v5.json`` (written blind, clean; its offers are written to
``benchmarks/results/brief_offers_v5.json`` for a blind judgment);
``account_histories_v6.json`` (written blind; its 5 offers judged blind, ``similar_offers_judged_v6.json``;
its labels, with v2-v5's, traced through the gates to set ``offer``: seen), ``account_histories_v7.json``
(written blind; its 6 offers judged blind, ``similar_offers_judged_v7.json``; seen since: its four
judged-irrelevant offers were studied for the reason-sentence check, the structure reading and the fragment
lines), ``account_histories_v8.json`` (written blind; its offers, ``benchmarks/results/brief_offers_v8.json``,
judged blind, ``similar_offers_judged_v8.json``; its three judged misses looked at since: seen),
``account_histories_v9.json`` (written blind: four new trades, many ways of saying a matter is
already handled or does not apply; its offers, ``brief_offers_v9.json``, judged blind,
``similar_offers_judged_v9.json``; its in-advance labels then used to choose ``settled_topic``: seen),
``account_histories_v10.json`` (written blind, clean; its offers are written to
``benchmarks/results/brief_offers_v10.json`` and were judged blind, ``similar_offers_judged_v10.json``);
``benchmarks/data/account_histories_dev2.json`` (a second tuning set: three groups of same-kind
businesses with differently worded trades and two unrelated accounts, labels set before tuning). Transcript histories are logged the product's way —
imported meetings, needs by the semantic extraction recorded as stated, open items read and
closed (``load_meetings``); similar labels are statements matched by meaning (centred cosine
≥ SAME_NEED) — an offered hypothesis that matches no label counts as not relevant
(``similar_matched_a_label`` says how many matched any label).

Speed: 100k needs over 5k accounts in 50 trades (bulk insert), a brief for 20 accounts,
median seconds, against a plain query of the same account's needs in the same run
(``NeedLog.needs(NeedFilter(account=…))``). Sentence vectors are read from the log's
sentence_vectors table (a brief stores what it had to embed); the benchmark stores them for
every distinct statement, quote and trade first (``vector_seconds``). cold = the first brief in the process
(model and knowledge vectors loaded), median/max = the other 19.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from assistant.accounts.meaning import raw_vectors  # noqa: E402

from assistant.accounts.brief import build_brief  # noqa: E402
from assistant.accounts.memory import AccountMemory  # noqa: E402
from assistant.coach.cards import Catalog  # noqa: E402
from assistant.db.schema import Account, Conversation, Need  # noqa: E402
from assistant.needs.log import NeedFilter, NeedLog  # noqa: E402
from assistant.needs.records import need_key  # noqa: E402

SETS = {"dev": ROOT / "benchmarks" / "data" / "account_histories_dev.json",
        "dev2": ROOT / "benchmarks" / "data" / "account_histories_dev2.json",
        "untuned": ROOT / "benchmarks" / "data" / "untuned" / "account_histories.json",
        "v2": ROOT / "benchmarks" / "data" / "untuned" / "account_histories_v2.json",
        "v3": ROOT / "benchmarks" / "data" / "untuned" / "account_histories_v3.json",
        "v4": ROOT / "benchmarks" / "data" / "untuned" / "account_histories_v4.json",
        "v5": ROOT / "benchmarks" / "data" / "untuned" / "account_histories_v5.json",
        "v6": ROOT / "benchmarks" / "data" / "untuned" / "account_histories_v6.json",
        "v7": ROOT / "benchmarks" / "data" / "untuned" / "account_histories_v7.json",
        "v8": ROOT / "benchmarks" / "data" / "untuned" / "account_histories_v8.json",
        "v9": ROOT / "benchmarks" / "data" / "untuned" / "account_histories_v9.json",
        "v10": ROOT / "benchmarks" / "data" / "untuned" / "account_histories_v10.json"}
# the offers on a clean set, for a blind judgment (v5, v6: judged already, their files kept as they were judged)
OFFERS = {"v10": ROOT / "benchmarks" / "results" / "brief_offers_v10.json"}  # v7-v9's files kept as they were judged
CATALOG = Catalog.load(ROOT / "knowledge")
NOW = datetime.now(timezone.utc)
STATUS = {"hypothesis": "hypothesis", "stated": "hypothesis", "confirmed": "confirmed",
          "in_solution": "confirmed", "proposed": "confirmed", "won": "confirmed", "lost": "confirmed",
          "delivered": "addressed", "dropped": "hypothesis"}
STAGE = {"in_solution": "opportunity", "proposed": "opportunity", "won": "contract", "delivered": "contract",
         "lost": "opportunity"}


def load_history(log: NeedLog, accounts: list[dict]) -> dict[str, str]:
    """Write the accounts into ``log``; returns need statement → history need id."""
    ids: dict[str, str] = {}
    with log.sessions() as session:
        for acc in accounts:
            row = Account(name=acc["account"], segment=acc.get("segment", ""), trade=acc.get("trade", ""))
            session.add(row)
            session.flush()
            for m in acc["meetings"]:
                when = NOW - timedelta(days=m.get("days_ago", 0))
                conv = Conversation(kind="coach", mode=m.get("mode", "live"), account_id=row.id,
                                    author=acc.get("author", ""), created_at=when, updated_at=when)
                session.add(conv)
                session.flush()
                for n in m["needs"]:
                    state = n.get("state", "confirmed")
                    session.add(Need(
                        id=str(uuid.uuid4()), conversation_id=conv.id, account_id=row.id, statement=n["statement"],
                        key=need_key(n["statement"]), kind=n.get("kind", "implicit"),
                        dimension=n.get("dimension", "functional"), owner=n.get("owner", "unknown"),
                        evidence=[{"turn": 1, "quote": n.get("quote") or n["statement"]}], status=STATUS[state],
                        ltc_stage=STAGE.get(state, "lead"), lifecycle=state, author=acc.get("author", ""),
                        created_at=when, updated_at=when, stage_since=when, knowledge_refs=[]))
                    ids[n["statement"]] = n["id"]
        session.commit()
    return ids


def brief_text(brief) -> str:
    parts = [n.statement for n in brief.to_verify] + brief.left_open + [q.question for q in brief.questions]
    parts += [e["quote"] for n in brief.to_verify for e in n.evidence]
    return "\n".join(parts)


def load_meetings(log: NeedLog, accounts: list[dict]) -> None:
    """Histories given as meeting transcripts: each meeting is logged the product's way — an
    imported conversation with its turns and the needs the semantic extraction finds (the
    product's default ``extraction`` setting: the sentence reader and the restatement, no
    model), recorded as stated (``NeedLog.import_conversation``), then read for open items and for
    the needs the customer confirmed (``accounts.open_items.after_conversation``); nothing is
    moved by hand. A meeting's date is its conversation's date."""
    from assistant.accounts.open_items import after_conversation
    from assistant.needs.extract import NeedExtractor
    from assistant.needs.transcript import parse_transcript_json

    for acc in accounts:
        log.ensure_account(acc["account"], segment=acc.get("segment", ""))
        log.set_account_trade(acc["account"], acc.get("trade", ""))
        lang = acc.get("lang", "zh")
        for k, m in enumerate(sorted(acc["meetings"], key=lambda m: m.get("date", ""))):
            turns = [t for t in m["turns"] if t.get("role") in ("customer", "sales") and t.get("text")]
            outcome = NeedExtractor(None, method="semantic", language=lang).extract(
                parse_transcript_json({"turns": turns}))
            cid, _ = log.import_conversation([(t["role"], t["text"], {}) for t in turns], outcome.needs,
                                             account=acc["account"], author=acc.get("salesperson", ""),
                                             language=lang, title=m.get("date", ""))
            try:
                when = datetime.fromisoformat(m["date"]).replace(tzinfo=timezone.utc)
            except (KeyError, ValueError):
                when = NOW - timedelta(days=len(acc["meetings"]) - k)
            with log.sessions() as session:
                conv = session.get(Conversation, cid)
                conv.created_at = conv.updated_at = when
                for n in session.scalars(select(Need).where(Need.conversation_id == cid)):
                    n.created_at = n.updated_at = n.stage_since = when
                session.commit()
            after_conversation(log, cid)


SAME_SOURCE = 0.45  # the second judge's threshold (calibrated on dev and v1 only; see below)


def similar_against_labels(brief, acc: dict, engine) -> dict[str, int]:
    """Both judges of the offered "同类客户还提到过…" hypotheses against the labels, which are
    short hand-written restatements of needs the named other accounts said.

    * **same need** (the first judge): an offered hypothesis matches the labelled statement
      nearest in meaning to its statement among the labels from the same accounts (centred
      cosine ≥ SAME_NEED, the product's threshold for two restatements of one need).
    * **same source** (the second judge): an offered hypothesis matches a label when it comes
      from one of the label's ``from_accounts`` and the label is the nearest of that account's
      labels to the offered statement OR to its evidence quote (the other customer's sentence),
      with centred cosine ≥ ``SAME_SOURCE``. It asks "is this the need the label means, said by
      that account?" rather than "are the two texts restatements of each other?": a label
      ("外卖高峰出餐慢被平台降权") and what the customer said ("外卖占了我们六成的单，高峰出餐慢，
      平台给我们降权了") are one need worded differently. ``SAME_SOURCE`` was set on the offered
      hypotheses of the dev and v1 sets only (24 offered), each pair judged by hand "one need or
      two": every different-need pair there is at 0.42 or below (a typhoon notice parents saw
      late against a school-bus arrival notice), the same-need pairs at 0.50 and above but one
      (0.42: electricity per machine, missed at this threshold); 0.45 admits none of the former.

    An offered hypothesis that matches no label counts as not relevant under either judge.
    Returns offered, and per judge: matched (any label), relevant (a label marked relevant) and
    found (distinct relevant labels matched, for recall)."""
    from assistant.accounts.meaning import SAME_NEED, vectors

    labels = acc.get("similar_hypotheses", [])
    out = {"offered": len(brief.similar), "matched": 0, "relevant": 0, "found": 0,
           "source_matched": 0, "source_relevant": 0, "source_found": 0}
    found: set[int] = set()
    source_found: set[int] = set()
    for h in brief.similar:
        pool = [i for i, lab in enumerate(labels) if set(lab.get("from_accounts", [])) & set(h.accounts)] \
            or list(range(len(labels)))
        if pool:
            vecs = vectors([h.statement] + [labels[i]["statement"] for i in pool], engine)
            sims = vecs[1:] @ vecs[0]
            best = int(sims.argmax())
            if float(sims[best]) >= SAME_NEED:
                out["matched"] += 1
                if labels[pool[best]].get("relevant"):
                    out["relevant"] += 1
                    found.add(pool[best])
        chosen: tuple[float, int] | None = None
        for account in h.accounts:
            own = [i for i, lab in enumerate(labels) if account in lab.get("from_accounts", [])]
            if not own:
                continue
            texts = [h.statement] + [e["quote"] for e in h.evidence if e.get("account") == account][:1]
            vecs = vectors(texts + [labels[i]["statement"] for i in own], engine)
            sims = vecs[len(texts):] @ vecs[: len(texts)].T  # labels × (statement, quote)
            for col in range(len(texts)):
                i = int(sims[:, col].argmax())
                if float(sims[i, col]) >= SAME_SOURCE and (chosen is None or float(sims[i, col]) > chosen[0]):
                    chosen = (float(sims[i, col]), own[i])
        if chosen is not None:
            out["source_matched"] += 1
            if labels[chosen[1]].get("relevant"):
                out["source_relevant"] += 1
                source_found.add(chosen[1])
    out["found"], out["source_found"] = len(found), len(source_found)
    return out


SAME_SENTENCE_TOP = 2  # the third judge: the label's nearest customer sentences of its account
SAME_SENTENCE_FLOOR = 0.3


def customer_sentences(accounts: list[dict]) -> dict[str, list[str]]:
    """Each transcript account's customer sentences, as the history file has them."""
    from assistant.understanding import lexicon

    out: dict[str, list[str]] = {}
    for acc in accounts:
        for m in acc.get("meetings", []):
            for t in m.get("turns", []):
                if t.get("role") == "customer" and t.get("text"):
                    out.setdefault(acc["account"], []).extend(
                        s for s in (lexicon.sentences(t["text"]) or [t["text"]]) if len(s.strip()) >= 4)
    return out


def similar_same_sentence(brief, acc: dict, sentences: dict[str, list[str]], engine) -> dict[str, int]:
    """The third judge (added beside the other two, which are kept): "did the brief offer the
    sentence the label was written from?". A label is a short restatement, written by hand, of
    a need one named account said; its source sentences are that account's customer sentences
    nearest to it in meaning (the ``SAME_SENTENCE_TOP`` nearest). An offered hypothesis matches a
    label when its evidence quote (the other customer's sentence) is, or is nearest to, one of
    those sentences, the label is the nearest to the quote of that account's labels (both ways:
    a quote near two labels goes to the nearer), and their centred cosine is at least
    ``SAME_SENTENCE_FLOOR``. It reads a label the way its writer wrote it — from the other
    account's transcript — where the first two judges compare the texts' wording: a label "设备突然
    停机，坏之前的征兆没人记录和提醒" was written from "上个月一台五轴的主轴突然坏了，停了五天…" and
    "老孙说之前就有异响…没人当回事", and the first of those offered is that need. Set on the
    dev, dev2 and v1 (seen) sets only; every match there was read by hand."""
    from assistant.accounts.meaning import vectors

    labels = acc.get("similar_hypotheses", [])
    out = {"sentence_matched": 0, "sentence_relevant": 0, "sentence_found": 0}
    found: set[int] = set()
    for h in brief.similar:
        chosen: tuple[float, int] | None = None
        for account in h.accounts:
            own = [i for i, lab in enumerate(labels) if account in lab.get("from_accounts", [])]
            said = sentences.get(account, [])
            quote = next((e["quote"] for e in h.evidence if e.get("account") == account and e.get("quote")), "")
            if not own or not said or not quote:
                continue
            lv = vectors([labels[i]["statement"] for i in own], engine)
            sv = vectors(said, engine)
            qv = vectors([quote], engine)[0]
            at = int((sv @ qv).argmax())  # the quote's sentence in the transcript
            to_label = lv @ qv
            k = int(to_label.argmax())
            sources = np.argsort(-(sv @ lv[k]))[:SAME_SENTENCE_TOP]
            if at in sources and float(to_label[k]) >= SAME_SENTENCE_FLOOR and (
                    chosen is None or float(to_label[k]) > chosen[0]):
                chosen = (float(to_label[k]), own[k])
        if chosen is not None:
            out["sentence_matched"] += 1
            if labels[chosen[1]].get("relevant"):
                out["sentence_relevant"] += 1
                found.add(chosen[1])
    out["sentence_found"] = len(found)
    return out


def whole_text(brief) -> str:
    """Diagnostic (added after the first untuned run): the known section too."""
    return brief_text(brief) + "\n" + "\n".join(
        [n.statement for n in brief.known] + [e["quote"] for n in brief.known for e in n.evidence])


def quality(path: Path, tmp: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    accounts = data["accounts"]
    log = NeedLog.open(f"sqlite:///{tmp / (path.stem + '.db')}")
    is_transcript = lambda acc: bool(acc["meetings"]) and "turns" in acc["meetings"][0]  # noqa: E731
    load_meetings(log, [a for a in accounts if is_transcript(a)])
    ids = load_history(log, [a for a in accounts if not is_transcript(a)])
    memory = AccountMemory(log)
    said = customer_sentences([a for a in accounts if is_transcript(a)])
    per, covered, total, offered, right, labelled, found, whole_hits = [], 0, 0, 0, 0, 0, 0, 0
    matched_any = src_matched = src_right = src_found = 0
    sen_matched = sen_right = sen_found = 0
    by_kind: dict[str, list[int]] = {}
    left_hits = shown = 0
    for acc in accounts:
        transcripts = is_transcript(acc)
        brief = build_brief(memory, acc["account"], None, CATALOG, model=None)
        text = brief_text(brief)
        raw = acc.get("open_items", [])
        items = [i["terms"] if isinstance(i, dict) else i for i in raw]
        kinds = [i.get("kind", "") if isinstance(i, dict) else "" for i in raw]
        low = text.lower()
        hit = [any(term.lower() in low for term in item) for item in items]
        left = "\n".join(brief.left_open).lower()
        left_hits += sum(any(term.lower() in left for term in item) for item in items)
        shown += len(brief.open_items)
        for kind, h in zip(kinds, hit):
            by_kind.setdefault(kind or "unlabelled", []).append(int(h))
        whole = whole_text(brief).lower()
        whole_hits += sum(any(term.lower() in whole for term in item) for item in items)
        if transcripts:
            j = similar_against_labels(brief, acc, log.engine)
            j.update(similar_same_sentence(brief, acc, said, log.engine))
            n_labelled = sum(bool(lab.get("relevant")) for lab in acc.get("similar_hypotheses", []))
        else:  # labels by need id: the offered hypothesis's logged need is or is not one (both judges)
            relevant = set(acc.get("similar_relevant", []))
            got = [ids.get(h.logged or h.statement) for h in brief.similar]
            good = len([g for g in got if g in relevant])
            n_found = len({g for g in got if g in relevant})
            j = {"offered": len(got), "matched": len(got), "relevant": good, "found": n_found,
                 "source_matched": len(got), "source_relevant": good, "source_found": n_found,
                 "sentence_matched": len(got), "sentence_relevant": good, "sentence_found": n_found}
            n_labelled = len(relevant)
        n_offered, n_matched, n_good = j["offered"], j["matched"], j["relevant"]
        covered += sum(hit)
        total += len(items)
        offered += n_offered
        matched_any += n_matched
        right += n_good
        labelled += n_labelled
        found += j["found"]
        src_matched += j["source_matched"]
        src_right += j["source_relevant"]
        src_found += j["source_found"]
        sen_matched += j["sentence_matched"]
        sen_right += j["sentence_relevant"]
        sen_found += j["sentence_found"]
        per.append({"account": acc["account"], "transcripts": transcripts, "open_items": len(items),
                    "covered": sum(hit), "missed": [item for item, h in zip(items, hit) if not h],
                    "open_items_shown": len(brief.open_items), "needs_logged": len(brief.known) + len(brief.to_verify),
                    "known": len(brief.known), "to_verify": len(brief.to_verify),
                    "similar_offered": n_offered, "similar_matched": n_matched, "similar_relevant": n_good,
                    "similar_matched_same_source": j["source_matched"],
                    "similar_relevant_same_source": j["source_relevant"],
                    "similar_relevant_same_sentence": j["sentence_relevant"],
                    "similar_offered_statements": [
                        {"statement": h.statement, "accounts": h.accounts,
                         "quotes": [e["quote"] for e in h.evidence], "why": h.why} for h in brief.similar]})
    return {"set": str(path.relative_to(ROOT)), "accounts": len(accounts),
            "open_item_coverage": round(covered / total, 3) if total else None, "open_items": total,
            "open_item_coverage_left_open_only": round(left_hits / total, 3) if total else None,
            "open_item_coverage_by_kind": {k: round(sum(v) / len(v), 3) for k, v in sorted(by_kind.items())},
            "open_items_shown": shown,
            "open_item_coverage_with_known": round(whole_hits / total, 3) if total else None,
            "similar_precision": round(right / offered, 3) if offered else None, "similar_offered": offered,
            "similar_matched_a_label": matched_any,
            "similar_recall": round(found / labelled, 3) if labelled else None,
            "similar_labelled_relevant": labelled,
            "similar_judge_same_source": {
                "threshold": SAME_SOURCE, "precision": round(src_right / offered, 3) if offered else None,
                "matched_a_label": src_matched, "relevant": src_right,
                "recall": round(src_found / labelled, 3) if labelled else None},
            "similar_judge_same_sentence": {
                "top": SAME_SENTENCE_TOP, "floor": SAME_SENTENCE_FLOOR,
                "precision": round(sen_right / offered, 3) if offered else None,
                "matched_a_label": sen_matched, "relevant": sen_right,
                "recall": round(sen_found / labelled, 3) if labelled else None},
            "per_account": per}


# ---- speed --------------------------------------------------------------------------------
TRADES = [f"行业{i:02d}" for i in range(50)]
STATEMENTS = ["夜间需要自动清洁", "不能吵到客人休息", "能自己乘电梯", "报价要分期付款", "旺季前完成安装",
              "员工担心被替代", "操作要简单", "数据安全要过审核", "要和现有系统对接", "预算年底前用完",
              "减少人工成本", "投诉要减少", "检查要有记录", "交付要快", "售后要有人上门",
              "能远程看运行情况", "耗材要便宜", "要能申请补贴", "领导关心满意度", "试用一个月再决定"]
STATES = ["hypothesis", "stated", "confirmed", "confirmed", "in_solution", "proposed", "won", "delivered"]


def fill(log: NeedLog, needs: int, accounts: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    per = needs // accounts
    names = [f"客户{i:05d}" for i in range(accounts)]
    with log.engine.begin() as conn:
        conn.execute(insert(Account), [{"name": n, "segment": "B2B", "trade": TRADES[i % len(TRADES)], "notes": "",
                                        "created_at": NOW} for i, n in enumerate(names)])
        conn.execute(insert(Conversation), [{"kind": "coach", "mode": "live", "account_id": i + 1,
                                             "author": f"sales{i % 40}", "title": "", "language": "zh", "state": {},
                                             "created_at": NOW, "updated_at": NOW} for i in range(accounts)])
        batch = []
        for i in range(accounts):
            for j in range(per):
                s = STATEMENTS[rng.randrange(len(STATEMENTS))] + (f"（{TRADES[i % 50]}）" if j % 2 else "")
                state = rng.choice(STATES)
                when = NOW - timedelta(days=rng.randrange(200))
                batch.append({"id": str(uuid.uuid4()), "conversation_id": i + 1, "account_id": i + 1,
                              "statement": s, "key": need_key(s), "kind": rng.choice(("implicit", "explicit")),
                              "dimension": "functional", "owner": "user", "motive": "",
                              "evidence": [{"turn": 1, "quote": s[:6]}], "status": STATUS[state],
                              "confidence": 0.6, "ltc_stage": STAGE.get(state, "lead"), "source": "live",
                              "review_state": "ai_suggested", "author": f"sales{i % 40}", "rejected": False,
                              "lifecycle": state, "stage_since": when, "knowledge_refs": [],
                              "created_at": when, "updated_at": when})
                if len(batch) >= 5000:
                    conn.execute(insert(Need), batch)
                    batch = []
        if batch:
            conn.execute(insert(Need), batch)
    return names


def speed(url: str, needs: int, accounts: int, samples: int = 20) -> dict:
    log = NeedLog.open(url)
    t0 = time.perf_counter()
    names = fill(log, needs, accounts)
    load = time.perf_counter() - t0
    # the vectors a brief reads are stored in the log on first use; store them for the whole
    # log up front (what a log that has been briefed from for a while holds)
    t0 = time.perf_counter()
    with log.sessions() as session:
        distinct = list(session.scalars(select(Need.statement).distinct()))
        distinct += list(session.scalars(select(Account.trade).distinct()))
        distinct += sorted({str(e.get("quote", "")) for ev in session.scalars(select(Need.evidence))
                            for e in ev or [] if e.get("quote")})  # the classifier reads the quotes
    raw_vectors(distinct, log.engine)
    vector_seconds = time.perf_counter() - t0
    memory = AccountMemory(log)
    rng = random.Random(3)
    picks = rng.sample(names, samples)
    plain, briefs = [], []
    for name in picks:
        t = time.perf_counter()
        log.needs(NeedFilter(account=name))
        plain.append(time.perf_counter() - t)
        t = time.perf_counter()
        build_brief(memory, name, None, CATALOG, model=None)
        briefs.append(time.perf_counter() - t)
    warm = statistics.median(briefs[1:])
    p = statistics.median(plain)
    return {"needs": needs, "accounts": accounts, "load_seconds": round(load, 1),
            "distinct_statements": len(distinct), "vector_seconds": round(vector_seconds, 1),
            "brief_cold_seconds": round(briefs[0], 3), "brief_median_seconds": round(warm, 3),
            "brief_max_seconds": round(max(briefs[1:]), 3), "plain_query_median_seconds": round(p, 4),
            "ratio_brief_to_plain": round(warm / p, 1) if p else None, "target_seconds": 1.0,
            "meets_target": max(briefs[1:]) <= 1.0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=tuple(SETS) + ("all",), default="all")
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-quality", action="store_true", help="Speed only (the quality figures kept).")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "brief.json")
    args = parser.parse_args()
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="brief-bench-"))
    out = json.loads(args.out.read_text()) if args.out.exists() else {}
    out["note"] = ("Briefs built without the model (method-card questions); quality per set, speed per "
                   "database. See the docstring of benchmarks/brief.py.")
    from assistant.accounts.similar import POLICY

    out["similar_policy"] = {"thresholds": POLICY.as_dict(),
                             "calibrated_on": "account_histories_dev.json, account_histories_dev2.json and untuned/account_histories.json (seen); "
                                             "``lacks`` and ``has`` (what an account says it has not, and has) also on the 29 offers of v2-v4 "
                                             "judged by hand (untuned/similar_offers_judged.json: v2-v4 seen since); ``settles``/``settle_k``/``settle_floor`` "
                                             "(the settled-hypothesis reader) on its 5-fold and the v5 accounts (seen); ``same_system`` on "
                                             "the v5 offers w02/w04 (seen); ``offer`` 0.4 after the labelled "
                                             "hypotheses of v2-v6 were traced through the gates (v2-v6 seen); ``presupposes`` and the reason-sentence "
                                             "check after v7's judged offers were studied (v7 seen); ``settled_topic`` on the v8/v9 labels and the v5-v9 judged offers (v8, v9 seen); v10 clean"}
    for name in (() if args.skip_quality else tuple(SETS) if args.set == "all" else (args.set,)):
        if SETS[name].exists():
            out[f"quality_{name}"] = quality(SETS[name], tmp)
            if name in OFFERS:  # what was offered, for a judge who reads only the meetings
                OFFERS[name].write_text(json.dumps({
                    "set": str(SETS[name].relative_to(ROOT)),
                    "offers": [{"account": a["account"], "statement": o["statement"], "from_accounts": o["accounts"],
                                "quotes": o["quotes"], "why": o["why"]}
                               for a in out[f"quality_{name}"]["per_account"] for o in a["similar_offered_statements"]]},
                    ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            print(name, {k: v for k, v in out[f"quality_{name}"].items() if k != "per_account"}, flush=True)
        else:
            print(f"{SETS[name]} not found: `git merge main` brings the evaluation sets", flush=True)
    if not args.skip_speed:
        out["speed_sqlite"] = speed(f"sqlite:///{tmp / 'speed.db'}", args.needs, args.accounts)
        print("sqlite", out["speed_sqlite"], flush=True)
        if not args.skip_postgres:
            from tests.pg import postgres_server

            with postgres_server() as url:
                out["speed_postgresql"] = speed(url, args.needs, args.accounts)
            print("postgresql", out["speed_postgresql"], flush=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
