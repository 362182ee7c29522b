"""Practise this customer: a role-play scenario drafted from a real meeting.

The draft takes the visible profile and the stated request from the customer's first words,
and one hidden need per need found in the meeting, whose facts are the customer's own words
(the evidence quotes). ``asks``, ``never_say`` and ``deflections`` are drafted from the need's
dimension and owner; a manager reviews and edits the YAML before it is saved to the team's
scenario folder, where it is validated like every other scenario.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Sequence

import yaml

from assistant.errors import InputError
from assistant.meetings.review import ReviewTurn

_ASKS = {
    "zh": {
        "functional": ["您最想让它帮您解决的是什么事？", "平时具体是怎么用的，能说说吗？", "现在这件事是怎么做的？"],
        "form": ["您对它的样子、品牌或者送货安装有什么讲究吗？", "之前用过的哪些地方让您不满意？"],
        "emotional": ["这件事里您最放心不下的是什么？", "您最担心会出什么情况？"],
        "price": ["您觉得花多少钱买这个算值？", "预算方面是怎么考虑的？"],
        "business": ["这件事现在对你们的生意有什么影响？", "要是一直这样下去，会怎么样？", "这件事让你们多花了多少钱或时间？"],
        "user": ["平时主要是谁在用？", "用的人最在意什么？"],
        "decision_maker": ["这件事最后是谁拍板？", "老板最看重的是哪一点？"],
        "customer_of_customer": ["你们的客户对这件事怎么看？", "这件事对你们的客户有什么影响？"],
    },
    "en": {
        "functional": ["What do you most need it to do for you?", "How do you handle this today?",
                       "Can you walk me through how it would be used?"],
        "form": ["Anything that matters to you about how it looks, the brand or the delivery?",
                 "What didn't you like about what you used before?"],
        "emotional": ["What worries you most about this?", "What would you hate to see go wrong?"],
        "price": ["What would make this worth the money for you?", "How are you thinking about budget?"],
        "business": ["How is this affecting the business today?", "What happens if it carries on like this?",
                     "What does this cost you now?"],
        "user": ["Who will use it day to day?", "What matters most to the people using it?"],
        "decision_maker": ["Who makes the final call on this?", "What does your boss care about most here?"],
        "customer_of_customer": ["How do your own customers feel about this?", "How does this affect your customers?"],
    },
}
_NEVER_SAY = {
    "zh": {"functional": ["没什么特别的要求", "随便哪个都行"], "form": ["样子品牌都无所谓"],
           "emotional": ["一点也不担心", "没什么好顾虑的"], "price": ["价格无所谓", "多少钱都行"],
           "business": ["对业务没什么影响", "现在一切都很正常"], "user": ["就我自己用"],
           "decision_maker": ["我一个人就能定"], "customer_of_customer": ["我们的客户不在乎这个"]},
    "en": {"functional": ["I have no particular requirements", "any one will do"],
           "form": ["I don't care about the brand or how it looks"],
           "emotional": ["I'm not worried at all"], "price": ["price doesn't matter"],
           "business": ["it has no effect on the business", "everything is running fine"],
           "user": ["it's just for me"], "decision_maker": ["I decide this alone"],
           "customer_of_customer": ["our customers don't care about this"]},
}
_QUESTION_TYPES = {
    "functional": ["open", "purpose", "situation", "problem"],
    "form": ["open", "situation", "problem"],
    "emotional": ["open", "problem", "implication", "need_payoff"],
    "price": ["open", "situation", "need_payoff"],
    "business": ["open", "problem", "implication", "need_payoff"],
}
_HINTS = {
    "zh": {"functional": "用起来的事儿，我们还真有点讲究。", "form": "东西嘛，也得看着顺眼、用着省心。",
           "emotional": "说实话，这事儿我心里一直有点不踏实。", "price": "钱花得值不值，我心里有本账。",
           "business": "这事儿不光是买个东西，背后牵扯的事不少。"},
    "en": {"functional": "How it gets used matters to us, actually.", "form": "It has to fit in with how we do things.",
           "emotional": "To be honest, this has been on my mind.", "price": "I keep a close eye on what things are worth.",
           "business": "It's not just a purchase; there's more behind it."},
}
_GENERIC = {
    "zh": {"persona": "说话实在、时间不多的客户。对一上来就推销的人没耐心，对方问到点子上才愿意多说。",
           "small_talk": ["今天事情多，咱们抓紧说。", "你们公司离我们这儿还挺近的。"],
           "objections": ["先别急着介绍产品，我还没说完呢。", "这些参数我听过好几遍了。"],
           "deflections": ["这个嘛，等咱们把情况聊清楚了再说。", "一下子也说不好，你先问问别的。",
                           "这个我得回去问问再说。"]},
    "en": {"persona": "A practical customer with little time. Impatient with pitches; opens up when the questions are good.",
           "small_talk": ["Busy day here, let's keep it short.", "Your office isn't far from ours, is it?"],
           "objections": ["Hold on, I haven't finished telling you what we need.", "I've heard those specs before."],
           "deflections": ["Let's get to that once you understand our situation.", "Hard to say right now; ask me something else.",
                           "I'd have to check on that."]},
}
_STOP = set("我们 你们 他们 这个 那个 就是 还是 一下 一个 现在 因为 所以 但是 然后 没有 什么 怎么 可以 已经 而且 the and for with that this".split())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def _first_sentence(text: str, limit: int = 60) -> str:
    head = re.split(r"(?<=[。！？!?])|(?<=\.)\s", text.strip(), maxsplit=1)[0]
    return head[:limit].strip()


def _topics(quotes: Sequence[str], language: str) -> list[str]:
    if language == "zh":
        from assistant.knowledge.normalize import _jieba

        words = [w for q in quotes for w in _jieba().lcut(q) if len(w) >= 2 and w not in _STOP]
    else:
        words = [w.lower() for q in quotes for w in re.findall(r"[A-Za-z]{4,}", q) if w.lower() not in _STOP]
    return list(dict.fromkeys(words))[:6] or ["情况" if language == "zh" else "situation"]


def draft_scenario(
    turns: Sequence[ReviewTurn],
    needs: Sequence[dict[str, Any]],
    *,
    conversation_id: int,
    title: str = "",
    account: str | None = None,
    language: str = "zh",
    segment: str = "",
) -> dict[str, Any]:
    """A scenario (the YAML's data) from a meeting's turns and the needs found in it."""
    lang = "en" if language == "en" else "zh"
    customer = [t for t in turns if t.role == "customer"]
    if not customer:
        raise InputError("This conversation has no customer words to draft a customer from.",
                         fix="import a meeting whose speakers include the customer's side")
    if not needs:
        raise InputError("No needs were found in this conversation, so the customer would have nothing hidden.",
                         fix="add or correct its needs in the need log first, then draft again")
    g = _GENERIC[lang]
    ordered = sorted(needs, key=lambda n: n.get("kind") != "implicit")[:6]
    hidden = []
    for i, need in enumerate(ordered, 1):
        dimension = need["dimension"]
        owner = need["owner"] if need["owner"] in ("buyer", "user", "decision_maker", "customer_of_customer") else "buyer"
        quotes = [e["quote"] for e in need.get("evidence", [])][:3] or [need["statement"]]
        asks = list(_ASKS[lang][dimension]) + (_ASKS[lang][owner] if owner != "buyer" else [])
        never = list(_NEVER_SAY[lang][dimension]) + (_NEVER_SAY[lang][owner] if owner != "buyer" else [])
        hidden.append({
            "id": f"need-{i}", "summary": need["statement"], "dimension": dimension, "owner": owner,
            "facts": quotes, "hint": _HINTS[lang][dimension], "asks": asks, "never_say": never,
            "reveal": {"question_types": _QUESTION_TYPES[dimension], "topics": _topics(quotes, lang),
                       "min_trust": 0.3, "requires": []},
        })
    first = customer[0].text
    name = account or ("这位客户" if lang == "zh" else "this customer")
    request = _first_sentence(first)
    profile = (f"{name}的一次真实会谈。对方一开口就说：“{request}”" if lang == "zh"
               else f"A real meeting with {name}. They opened with: \"{request}\"")
    is_b2b = segment == "B2B" or any(n["dimension"] == "business" or n["owner"] in ("decision_maker", "customer_of_customer")
                                     for n in needs)
    return {
        "id": f"meeting-{conversation_id}" + (f"-{_slug(account)}" if account and _slug(account) else ""),
        "title": (title or name)[:60],
        "language": lang,
        "segment": "B2B" if is_b2b else "B2C",
        "trade": "",
        "difficulty": 2,
        "starting_trust": 0.5,
        "max_turns": 12,
        "persona": g["persona"],
        "profile": profile,
        "stated_request": request,
        "opening_line": first[:160],
        "small_talk": g["small_talk"],
        "hidden_needs": hidden,
        "objections": g["objections"],
        "deflections": g["deflections"],
        "knowledge_refs": ["implicit-needs-majority", "four-need-dimensions"],
        "debrief": (f"这个场景来自会谈 #{conversation_id}：客户真正的需求藏在他自己的话里。"
                    if lang == "zh" else f"Drafted from meeting #{conversation_id}: the needs are in the customer's own words."),
    }


def draft_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def save_scenario(text: str, folder: Path) -> Path:
    """Validate an edited draft and write it to ``folder`` as ``<id>.yaml``."""
    from assistant.roleplay.scenario import Scenario

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise InputError(f"The scenario is not valid YAML{where}: {getattr(exc, 'problem', exc)}.",
                         fix="fix the indentation or quoting at that line") from exc
    if not isinstance(data, dict):
        raise InputError("The scenario must be a YAML mapping (id: …, title: …).", fix="start again from the draft")
    from pydantic import ValidationError

    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        raise InputError(f"The scenario is invalid: {problems}", fix="correct the fields named") from exc
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,80}", scenario.id):
        raise InputError(f"Scenario id {scenario.id!r} must be lower-case letters, digits and dashes.",
                         fix="e.g. meeting-12-hotel")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{scenario.id}.yaml"
    path.write_text(draft_yaml(data), encoding="utf-8")
    return path
