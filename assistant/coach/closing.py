"""The close names what the customer actually chose.

A decision often points at an option instead of naming it: "就按你说的那个来两个", "那各来一斤吧",
"还是第一种吧", "let's get that one", "we'll go with your suggestion". ``choose`` resolves it
against the options on the table — the request, what the coach offered, what the customer
asked about, in the order they came up (``Table``, built from the conversation's coach moves
and customer turns) — and keeps the customer's own words where the decision names its
choice ("就拿这双黑色的防滑厨师鞋，再加一副足弓支撑鞋垫"). Which option a reference means is read
by ``understanding.asking.choice_reference`` (sure words, then meaning).

``close_wording`` then says the choice, the need it meets and the next step; the service
shows it only when it passes the same checks as every coach text (not the customer's words,
names the choice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.coach.options import named_option, requested_product
from assistant.coach.phrasing import (clause_problem, echoes, has_chinese, normalise,
                                      noun_phrase_problem, shape_problem)
from assistant.understanding import asking, lexicon


@dataclass
class Table:
    """The options on the table, oldest first."""
    request: str = ""
    offered: list[list[str]] = field(default_factory=list)  # each recommendation's options
    asked: list[str] = field(default_factory=list)  # options the customer asked about
    discussed: list[str] = field(default_factory=list)  # every option, in the order it came up
    closed: list[str] = field(default_factory=list)  # what the last close named, if any

    def add(self, name: str, kind: str) -> None:
        name = (name or "").strip()
        if not name:
            return
        if kind == "asked" and (not self.asked or self.asked[-1] != name):
            self.asked.append(name)
        if all(normalise(name) != normalise(d) for d in self.discussed):
            self.discussed.append(name)
        else:  # said again: it moves to the end (the latest one discussed)
            self.discussed = [d for d in self.discussed if normalise(d) != normalise(name)] + [name]

    def last(self) -> str:
        return self.discussed[-1] if self.discussed else ""


def table_of(request: str, turns: list[tuple[str, str, dict]], language: str) -> Table:
    """The table from the first request and the conversation's turns in order: (role, text,
    move) with role "customer" (its question may name an option) or "coach" (its logged move
    may offer some)."""
    table = Table(request=requested_product(request, language))
    for role, words, move in turns:
        if role == "customer":
            table.add(named_option(words, language), "asked")
            continue
        offer = (move or {}).get("offer") or {}
        if (move or {}).get("kind") == "close" and (move or {}).get("topic"):
            table.closed = [n.strip() for n in re.split(r"、|, ", move["topic"]) if n.strip()]
        if (move or {}).get("kind") != "address" or not offer:
            continue
        names = [n for n in (offer.get("options") or [offer.get("option")]) if n]
        if offer.get("first") and offer.get("source") != "conversation":
            table.request = offer["first"]  # "酸枣我们有……另外猕猴桃": the request, in the variety that fits
        if offer.get("source") != "conversation":
            table.offered.append(names)
        for name in names:
            table.add(name, "offered")
    return table


def _names(text: str, option: str, language: str) -> int:
    """Where ``text`` names ``option`` (its start), or -1: the option itself, a 3-character run
    of it (zh), or its last content word (en)."""
    low, opt = text.lower(), option.lower().strip()
    if not opt:
        return -1
    if opt in low:
        return low.index(opt)
    if language == "zh":
        runs = [opt[i:i + 3] for i in range(max(0, len(opt) - 2))]
        hits = [low.index(r) for r in runs[::-1] if len(r) == 3 and r in low]
        if not hits and len(opt) >= 4 and opt[-2:] in low:  # the head noun ("桌椅" for 能调高低的桌椅)
            hits = [low.index(opt[-2:])]
        return hits[0] if hits else -1
    words = [w for w in re.findall(r"[a-z][a-z-]{3,}", opt) if w not in _EN_GENERIC]
    for w in words[::-1]:
        m = re.search(rf"\b{re.escape(w.rstrip('s'))}s?\b", low)
        if m:
            return m.start()
    return -1


_EN_GENERIC = {"those", "these", "that", "this", "ones", "kind", "sort", "type", "some", "with", "from", "really",
               "thing", "things", "stuff", "version"}
_ZH_EMPTY = re.compile(r"^(?:[一两二三四五六七八九十几半\d]+|[斤个盒份袋箱瓶包罐张台把套件副双支条对束本码])+$|"
                       r"^[一两二三四五六七八九十几半\d]+[\u4e00-\u9fff]$|"  # "一饼", "两捆": how many, in any measure word
                       r"^(?:试试|看看|一下|先|再|也|都|各|全|样|种|款|方案|这么定了|这样|按|照|就)+$")


_ZH_REFERENCES = ("choice_suggested", "choice_asked", "choice_first", "choice_second", "choice_all", "choice_deictic",
                  "choice_count", "choice_filler")
_ZH_NOT_ITEM = re.compile(r"[你您我他她]|吗|呢|好看|漂亮|快点|一点|点$|^(?:按|照)|怕|担心|得出|^(?:这么|那么|这样|那样)$|^(?:给|让|叫)|(?:尝尝|看看|试试|瞧瞧)$")
_EN_REFERENCE = re.compile(r"^(?:what|whatever|whichever|one|ones|it|that|this|them|those|these|both|each|all|your \w+|what you \w+|the one|"
                           r"(?:the )?(?:first|second|other|latter|former)(?: one| option)?|with it|it then|the same)$", re.I)


def _zh_strip(words: str) -> str:
    words = lexicon.cue("choice_trial_tail", "zh").sub("", words)  # "牛腩半成品试一个月" → 牛腩半成品
    for name in _ZH_REFERENCES:
        words = lexicon.cue(name, "zh").sub("", words)
    words = re.sub(r"(?:的)?(?:方案|那个方案|这个方案)$", "", words)
    return re.sub(r"^(?:个|的)+|的$|(?:就|也|都|还|给我|帮我|要)+$", "", words.strip())


def _zh_item(words: str) -> str:
    words = _zh_strip(words)
    if (2 <= len(words) <= 12 and not _ZH_EMPTY.match(words) and not _ZH_NOT_ITEM.search(words)
            and not lexicon.cue("next_step", "zh").search(words)):
        return words
    return ""


def own_items(text: str, language: str) -> list[str]:
    """What the decision names in the customer's own words ("这双黑色的防滑厨师鞋" → 黑色的防滑厨师鞋,
    "床垫要偏硬那款" → 偏硬床垫, "two of the waist-high cedar planters" → waist-high cedar planters);
    [] for a bare reference ("就按你说的那个来两个")."""
    items: list[str] = []
    if language == "zh":
        take = lexicon.cue("choice_take", "zh")
        for clause in re.split(r"[，,。！!；;：:]", text or ""):
            clause = clause.strip()
            if refuses(clause, "zh") or lexicon.cue("choice_condition", "zh").search(clause):
                continue  # "那就不要碳板了", "料理包我怕客人吃得出来": not what is taken
            kind = _KIND.match(clause)
            if kind and not _ZH_NOT_ITEM.search(kind.group(1)):  # "那个大屏的": a kind of the request
                items.append(kind.group(1) + "的")
                continue
            m = take.search(clause)
            pointed = _POINTED.search(clause)
            if pointed and (not m or m.start() > pointed.start()):  # "就你说的那双缓震的健步鞋" → 缓震的健步鞋
                item = _zh_item(clause[pointed.end():])
                if item:
                    items.append(item)
                    continue
            lead = clause[: m.start()] if m else ""
            if not m or clause[m.end(): m.end() + 1] in ("了", "的", "说", "自") or not (
                    len(_zh_strip(lead)) <= 4 or re.search(r"[就先再也都还要我]$", lead)):
                continue  # "降下来了", "做过手术的": not the taking of an item
            before = _zh_item(lead)
            parts = [_zh_item(p) for p in re.split(r"和|、|跟|再加|加上|还有|以及", clause[m.end():])]
            parts = [p for p in parts if p]
            if before and parts and len(parts[0]) <= 3:  # "床垫要偏硬那款" → 偏硬床垫
                parts[0] = parts[0] + before
            elif before and not parts:  # "台灯就拿这款" → 台灯
                parts = [before]
            items += parts
        return items
    text = " ".join(s for s in re.split(r"(?<=[.!?])\s+", text or "")
                    if not lexicon.cue("choice_condition", "en").search(s.strip()))  # "If he sticks with it, …"
    take = re.search(r"\b(?:take|go with|do|have|get|book|order|buy|try|trial|sample|print|quote us for)\b(.*)",
                     text, re.I) or re.search(r":(.*)", text)  # "Let's keep it simple, then: …"
    if not take:
        return []
    body = take.group(1)
    if ":" in body.split(".")[0]:  # "do what you said: the little ukulele, …": the items follow the colon
        body = body.split(":", 1)[1]
    body = re.sub(r"^\s*(?:it|that|this)\s*[:,—-]\s*", "", body).lstrip(": ")
    if re.match(r"^\s*(?:the|my|our|her|his|them|him)\s*\w*\s+to\s+\w+", body, re.I):
        return []  # "I'll get the principal to sign it": someone doing something, not an item
    body = re.split(r"[.!?;](?:\s|$)|\b(?:can you|could you|send|and I'll|I'll|we'll)\b", body)[0]
    for part in re.split(r",\s*(?:and\s+|plus\s+)?|\s+(?:and|plus)\s+", body):
        if re.search(r"^\W*(?:the |that |this )?[\w-]+\s+(?:ones?|version|model|size|colou?r)\W*$", part.strip(), re.I) \
                or refuses(part, "en"):
            continue  # "the blue one": a detail of the item before; "not the leather one": turned down
        part = re.sub(r"^(?:(?:a|one|two|three|four|five|ten|\d+)\s+(?:of\s+)?)?(?:the|a|an|her|him|them|those|these|that|"
                      r"this|it|some)?\s*", "", part.strip(), flags=re.I)
        if re.match(r"^(?:five|six|seven|eight|nine|ten|twenty|fifty|hundred|\d{2,})\b", part, re.I):
            continue  # "five hundred copies": how many, not what
        part = re.sub(r"^with\s+(?:the\s+|a\s+)?", "", part, flags=re.I)
        part = re.sub(r"\s+(?:you|we|I)\s+(?:mentioned|said|suggested|showed|recommended|picked)\b.*$", "", part, flags=re.I)
        part = re.sub(r"\s+(?:for|to|on|at|by|with|before|today|now|then|please|going|that|which|where|who|so)\b.*$|\s+ones?$", "",
                      part, flags=re.I).strip(" ,.")
        if part and not _EN_REFERENCE.match(part) and len(part.split()) <= 5 and re.search(r"[a-z]{3,}", part, re.I):
            items.append(part)
    return items


def choose(text: str, table: Table, language: str) -> list[str]:
    """The customer's choice: what the decision names (options on the table, or its own words),
    else the options its reference points to. [] when nothing is on the table to point to."""
    refused = refused_options(text, table, language)
    text = _deciding_part(text, language)
    low = text.lower()
    own = [(low.find(i.lower()), i) for i in (item_phrase(i, language) for i in own_items(text, language)) if i]
    spans = [(p, p + len(i)) for p, i in own if p >= 0]
    named = sorted((p, o) for o in {*table.discussed, table.request} if o and o not in refused
                   and (p := _names(text, o, language)) >= 0
                   and not any(a <= p < b for a, b in spans))  # "足弓支撑鞋垫" is not 定制鞋垫
    picked = [o for _, o in named]
    if table.request:  # "那个大屏的" → 大屏的手机
        own = [(p, i + table.request if i.endswith("的") else i) for p, i in own]
    for _, item in own:
        n = normalise(item)
        if any(n in normalise(o) for o in picked):
            continue
        inside = [o for o in picked if normalise(o) in n]  # "内托加气柱袋" says more than 气柱袋
        picked = [item if o == (inside[0] if inside else None) else o for o in picked if o not in inside[1:]]
        if not inside:
            picked.append(item)
    if picked:
        return picked[:4]
    sure = any(lexicon.cue(f"choice_{kind}").search(text) for kind in ("all", "first", "second", "suggested", "asked",
                                                                        "request"))
    if table.closed and not sure:  # "太谢谢了，送货前给我打个电话": the choice already closed stands
        return list(table.closed)
    reference = asking.choice_reference(text)
    if refused:  # what was turned down is off the table for every reference
        table = Table(request="" if table.request in refused else table.request,
                      offered=[[o for o in names if o not in refused] for names in table.offered],
                      asked=[o for o in table.asked if o not in refused],
                      discussed=[o for o in table.discussed if o not in refused])
    offered = table.offered[-1] if table.offered else []
    if reference == "all":
        both = [table.request, *table.discussed] if table.request and not any(
            table.request in d for d in table.discussed) else list(table.discussed)
        return [o for o in dict.fromkeys(both) if o][:3]
    if reference in ("first", "second"):
        pool = offered if len(offered) > 1 else table.discussed
        if not pool:
            return []
        return [pool[0] if reference == "first" or len(pool) < 2 else pool[1]]
    if reference == "request":
        return [table.request] if table.request else []
    if reference == "asked" and table.asked:
        return [table.asked[-1]]
    if reference == "suggested" and offered:
        return [o for o in offered if o != table.request][:2] or offered[:1]
    if table.last():
        return [table.last()]
    return [table.request] if table.request else []  # "那就先订两台试试": the request itself


_KIND = re.compile(r"^(?:就|就要|要|还是)?[这那](?:个|款|种|台|双|件|套)([\u4e00-\u9fff]{1,5})的$")
_POINTED = re.compile(r"(?:你|您)(?:们)?(?:刚才|之前)?(?:说|推荐|建议|讲|挑|提)的(?:那|这)?(?:个|种|款|台|套|双|件|副|盒|袋|箱|瓶|包|罐|张|把|支|条|样)?")


def refuses(clause: str, language: str) -> bool:
    """The clause turns something down ("那就不要碳板了", "料理包我怕客人吃得出来", "not the leather one")."""
    return bool(lexicon.cue("choice_refuse", "zh" if language == "zh" else "en").search(clause or ""))


def refused_options(text: str, table: Table, language: str) -> set[str]:
    """The options on the table the decision turns down: named in a refusing clause, or — for a
    decision that opens with a bare "No," / "不，" — the option the customer asked about last
    ("What about an electric guitar?" … "No, let's do what you said")."""
    out: set[str] = set()
    options = [o for o in {*table.discussed, table.request} if o]
    for clause in re.split(r"[，,。！!；;：:—]|(?<=[.!?])\s+", text or ""):
        if not refuses(clause, language):
            continue
        named = [o for o in options if _names(clause, o, language) >= 0]
        out.update(named)
        if not named and re.match(r"^\s*(?:no|nah|不|不了|算了)\s*$", clause, re.I) and table.asked:
            out.add(table.asked[-1])
    return out


def _deciding_part(text: str, language: str) -> str:
    """The decision without its conditions about later ("If he sticks with it, we'll come back for
    a proper guitar", "要是好用下回再来"): what is chosen now."""
    parts = re.split(r"(?<=[.!?。！？])\s*", text or "")
    kept = [p for p in parts if p.strip() and not lexicon.cue("choice_condition", "zh" if language == "zh" else "en")
            .search(p.strip())]
    return " ".join(kept) if language != "zh" else "".join(kept)


def _count(text: str, language: str, each: bool = False, item: str = "") -> str:
    """How many, from the words of the choice: after 各 ("各来一斤"), else in the clause that names
    the item or takes it ("先订两台试试"), never a number about something else ("两个规格")."""
    pattern = lexicon.cue("choice_count", "zh" if language == "zh" else "en")
    if language == "zh" and not each:
        clauses = [c for c in re.split(r"[，,。！!；;：:]", text or "") if c.strip()]
        take = lexicon.cue("choice_take", "zh")
        own = [c for c in clauses if item and item in c] or [c for c in clauses if take.search(c)] or clauses
        m = pattern.search(own[0]) if own else None
        return m.group(0) if m else ""
    if each and language == "zh":
        m = re.search(r"各[\u4e00-\u9fff]?(" + pattern.pattern + ")", text or "")
        return m.group(1) if m else ""
    m = pattern.search(text or "")
    return m.group(0) if m else ""


def item_phrase(item: str, language: str) -> str:
    """A chosen item as a clean noun phrase, or "" when it is a fragment of the sentence ("bike and
    nd let's book her in"): its leading determiners and trailing fillers go, then it must pass the
    noun-phrase check (``phrasing.noun_phrase_problem``)."""
    item = (item or "").strip().strip("，,。.;；:：、!！?？")
    if language != "zh" and not has_chinese(item):
        item = re.sub(r"^(?:(?:one|some|a few|a couple) of\s+)?(?:the|those|these|that|this|some|her|his|my|our)\s+",
                      "", item, flags=re.I)
        item = re.sub(r"\s+(?:things?|stuff|thingies|please|then|too|as well)$", "", item, flags=re.I).strip()
    return item if noun_phrase_problem(item, language) is None else ""


def _en_items(choice: list[str], det: str = "the") -> list[str]:
    """English items as said in a sentence: ``det`` ("the") before each that has no determiner or number."""
    return [c if re.match(r"^(?:a|an|the|one|two|three|four|five|\d+)\s", c) else f"{det} {c}" for c in choice]


_ZH_TROUBLE = lexicon.cue("turn_pain", "zh")  # a need said as a trouble is solved, not taken care of
_EN_SUBJECT = re.compile(r"^(?:you|your|she|he|they|her|his|their|it|we|the|our|my|[A-Z][a-z]+)\b")


_ZH_REPORTER = re.compile(r"^[\u4e00-\u9fff]{0,4}?(?:医生|大夫|老师|护士|教练|朋友|领导|老板|主管|师傅|同事|[他她])"
                          r"(?:还|也|都|就)?(?:说|讲|交代|建议)(?:了|过)?")


def speakable_need(need: str, language: str, customer_words: list[str], person: str = "") -> str:
    """The restated need as it can be said inside a frame, or "": what someone else reported
    said as the thing itself ("儿子老师还说他写字趴在桌子上" → 儿子写字趴在桌子上), and nothing that
    fails the clause check (``phrasing.clause_problem``)."""
    need = (need or "").strip().rstrip("。.!！；;，,")
    if language != "zh" and not _EN_SUBJECT.match(need):
        return ""  # "out of the depth here": no clause to say
    if language == "zh":
        need = re.sub(r"^(?:是|要|就是)(?=.{4})", "", need)
        m = _ZH_REPORTER.match(need)
        if m:
            who = person or next((p for p in ("儿子", "女儿", "老公", "老婆") if need.startswith(p)), "")
            rest = need[m.end():]
            need = who.replace("我", "您", 1) + rest[1:] if who and rest[:1] in ("他", "她") else rest
    return need if need and clause_problem(need, language, customer_words) is None else ""


def need_phrase(need: str, language: str, customer_words: list[str]) -> str:
    """The need inside the close's frame, or "" when it cannot be said well there (a fragment,
    words cut out of the customer's sentence, someone else's words reported): left out rather
    than said badly. zh: "，正好照顾到…这一点" / "，正好解决…的问题" / "，也不用再担心…了"; en: ", so <clause>" for what the
    choice lets happen ("so your grandmother can follow a call"), else ", since <clause>"."""
    need = speakable_need(need, language, customer_words)
    if not need:
        return ""
    if language == "zh":
        worry = re.match(r"^(?:怕|担心|就怕|最怕)(?=.{3})", need)
        if worry:  # "怕您爸上床下床" → 也不用再担心您爸上床下床了
            return f"，也不用再担心{need[worry.end():]}了"
        return f"，正好解决{need}的问题" if _ZH_TROUBLE.search(need) else f"，正好照顾到{need}这一点"
    need = need if need[:2].isupper() or need.startswith("I ") else need[0].lower() + need[1:]
    return f", so {need}" if re.search(r"\b(?:can|could|will|gets? to|is able to)\b", need) else f", since {need}"


def short_names(item: str, language: str) -> list[str]:
    """A chosen item's names, longest first, each a clean noun phrase: the name as said, then
    (English) its head noun with the one word before it and its head noun alone ("the waist-high
    cedar planters" → "cedar planters", "planters"; "soaker-hose kit" → "hose kit"), (Chinese)
    what follows its last 的 and its last word or two ("切好腌好的牛肉片" → 牛肉片)."""
    item = (item or "").strip()
    names = [item]
    if language == "zh" or has_chinese(item):
        tail = item.rsplit("的", 1)[-1]
        if 2 <= len(tail) < len(item):
            names.append(tail)
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        words = [w for w in jieba.lcut(tail) if w.strip()]
        for n in (2, 1):
            short = "".join(words[-n:]) if len(words) > n else ""
            if len(short) >= 2:
                names.append(short)
        if len(words) > 1 and len(words[0]) >= 2:  # "牛腩半成品" → 牛腩: the word that tells it apart
            names.append(words[0])
    else:
        lead = re.match(r"^(?:a|an|one|two|three|four|five|\d+)\s+", item, re.I)
        body = item[lead.end():] if lead else item
        phrase = re.split(r"\s(?:on|with|for|of|in|from|that|which|to)\s", body, maxsplit=1, flags=re.I)[0]
        contents = re.match(r"^(?:box|pack|packet|set|pair|bag|case|crate|tub|jar|bottle|roll|sheet|tray|carton)s?\s+of\s+"
                            r"(?:those\s+|these\s+|the\s+)?(.+)$", body, re.I)  # "a box of those appointment cards"
        if contents:
            phrase = re.split(r"\s(?:on|with|for|in|from|that|which|to)\s", contents.group(1), maxsplit=1,
                              flags=re.I)[0]
            names.append(phrase)
        words = phrase.split()
        if len(words) > 1:
            last = words[-1]
            before = words[-2].split("-")[-1] if "-" in words[-2] else words[-2]
            names += [f"{before} {last}", last]
        elif "-" in body:
            names.append(body.split("-")[-1])
        if lead:
            names = [item] + [f"{lead.group(0)}{n}" for n in names[1:]]
    out: list[str] = []
    for n in names:
        if n and n not in out and noun_phrase_problem(n, language) is None:
            out.append(n)
    return out or [item]


def close_wording(text: str, choice: list[str], need: str, b2b: bool, language: str,
                  customer_words: list[str]) -> str:
    """The close as a line (``close_line``), or ""."""
    return close_line(text, choice, need, b2b, language, customer_words)[0]


def close_line(text: str, choice: list[str], need: str, b2b: bool, language: str,
               customer_words: list[str]) -> tuple[str, list[str]]:
    """(the close, the names it gives the chosen items): the choice (each item a clean noun
    phrase, by a shorter name of it where the full one would repeat a run of the customer's:
    ``short_names``), the need it meets (when it can be said well) and the next step — or ("",
    []) when the choice is unknown or every line would repeat 15 characters of a customer turn
    in a row or fail the shape check (``phrasing.shape_problem``). Every chosen item is named."""
    choice = [c for c in choice if c and noun_phrase_problem(c, language) is None]
    if not choice:
        return "", []
    zh = language == "zh"
    each = bool(lexicon.cue("choice_all").search(text or "")) and len(choice) > 1
    count = _count(text, language, each, choice[0])
    fits = need_phrase(need, language, customer_words)
    names = [short_names(c, language) for c in choice]
    seen: set[tuple[str, ...]] = set()
    for level in range(max(len(n) for n in names)):
        # the longest names first, the longest item shortened first
        order = sorted(range(len(choice)), key=lambda i: -len(choice[i]))
        for shortened in range(len(choice) + 1):
            said = list(choice)
            for i in order[:shortened]:
                said[i] = names[i][min(level + 1, len(names[i]) - 1)]
            for i in order[shortened:]:
                said[i] = names[i][min(level, len(names[i]) - 1)]
            key = tuple(said)
            if key in seen:
                continue
            seen.add(key)
            for line in [x for det in (("the", "your") if not zh else ("",)) for x in
                         _close_lines(said, text, count, each, fits, b2b, zh, det)]:
                if not echoes(line, customer_words) and shape_problem(line, language) is None:
                    return line, said
    return "", []


def _close_lines(choice: list[str], text: str, count: str, each: bool, fits: str, b2b: bool, zh: bool,
                 det: str = "the") -> list[str]:
    """The close's lines for these names; English items after ``det`` ("the" or "your": the
    customer's "the tipping kettle" said as "your tipping kettle" breaks their run)."""
    if zh:
        items = "、".join(choice[:-1]) + "和" + choice[-1] if len(choice) > 1 else choice[0]
        what = f"{items}{'各' if each else ''}{count}" if count and (each or len(choice) == 1) else items
        step = "我把方案和下一步安排整理好发给您" if b2b else "我这就给您准备好"
        return [f"好的，就定{what}{fits}。{step}，您看可以吗？", f"好的，就定{what}。{step}，您看可以吗？",
                f"好的，{what}就这么定了。{step}，您看可以吗？"]
    said = _en_items(choice, det)
    items = ", ".join(said[:-1]) + " and " + said[-1] if len(said) > 1 else said[0]
    single = len(choice) == 1 and not re.match(r"^(?:a|an|one)\b", count or "a")
    what = (f"{count} of {items}" if not items.startswith(("a ", "an ")) else items) if count and single else items
    step = "I'll send the proposal and the next steps today" if b2b else "I'll get everything ready for you now"
    lines = [f"Great — {what} it is{fits}. {step}; does that work?", f"Great — {what} it is. {step}; does that work?"]
    if len(said) > 1:  # the list in another order: the customer's own run of names broken
        turned = said[1:] + said[:1]
        other = ", ".join(turned[:-1]) + " and " + turned[-1]
        lines.append(f"Great — {other} it is. {step}; does that work?")
    return lines


def masked(customer_words: list[str], choice: list[str]) -> list[str]:
    """The customer's words with the chosen items left out: naming the choice is no echo."""
    out = []
    for words in customer_words:
        for item in sorted(choice, key=len, reverse=True):
            if item:
                words = re.sub(re.escape(item), " … ", words, flags=re.I)
        out.append(words)
    return out


def choice_terms(choice: list[str], language: str) -> list[str]:
    """Words a close must contain to count as naming the choice (one per chosen item)."""
    terms = []
    for item in choice:
        if language == "zh" or has_chinese(item):
            terms.append(item if len(item) <= 4 else item[-4:])
        else:
            words = [w for w in re.findall(r"[a-z][a-z-]{2,}", item.lower()) if w not in _EN_GENERIC]
            terms.append(words[-1].rstrip("s") if words else item)
    return terms


def names_next_step(text: str) -> bool:
    """A close says what happens next ("我这就给您准备好", "I'll send the proposal") or asks for the go-ahead."""
    return bool(lexicon.cue("close_next").search(text or "") or re.search(r"[？?]\s*$", (text or "").strip()))
