"""Cue words, one lexicon per language, shared by every reader of customer words.

The rule-based extractor, the discovery state, the turn reader and (when it adopts
them) the role-play classifier all look words up here; a cue is declared once per
language. Each entry is a regular-expression alternation. ``cue(name)`` matches either
language (customers mix them: "预算 5k", "要 SaaS 的"); ``cue(name, "en")`` one only.
"""

from __future__ import annotations

import re
from functools import lru_cache

ZH: dict[str, str] = {
    # people a purchase may really be for (the user behind the buyer)
    "people": (
        "儿媳妇|媳妇|儿媳|我妈|我爸|对象|未婚妻|未婚夫|老婆|老公|爱人|丈夫|妻子|孩子|小孩|宝宝|儿子|女儿|外孙女|外孙子|孙子|孙女|外孙|老人|父母|爸妈|"
        "爸爸|妈妈|老爸|老妈|婆婆|公公|岳父|岳母|奶奶|爷爷|外婆|外公|家人|家里人|朋友|同事|员工|工人|"
        "师傅|销售|业务员|客服|学生|老师|病人|患者|孕妇|新生儿|住户|业主|居民|租户|司机|护士|医生|店员|门店|"
        "保洁|阿姨|夜班|前台|厨师|操作工|技术员|一线"
    ),
    # the customer's own customers (B2B)
    "customers_of_customer": (
        "我们的客户|我们客户|我的客户|客户那边|终端客户|下游|主机厂|订户|用户投诉|用户流失|我们的用户|"
        "消费者|会员|乘客|游客|患者家属|住户投诉|业主投诉|经销商|客人|住客|顾客"
    ),
    "decision": "(?<!^)老板(?![，,])|^老板(?![，,])|领导|点头|总经理|经理|主任|校长|院长|采购部|董事会|拍板|说了算|做决定|决定权|审批|批准|商量|签字",
    "decision_process": "招标|审批|流程|试用|评估|比价|走流程|上会|立项",
    "timing": "下周|下个月|月底|年底|季度|尽快|马上|立刻|急着|赶在|之前|什么时候|多久|截止|期限|招标|上线|开学|开业|预产期",
    "budget": r"预算|[0-9一二两三四五六七八九十百千万几]+\s*(?:块|元|万(?![台件个套盒桌辆人])|千(?![台件个套盒桌辆人]))|以内|不超过|不能超过|控制在|左右",
    "price": "便宜|贵|价格|价钱|多少钱|报价|报个价|性价比|划算|实惠|优惠|折扣|打折|成本|省钱|低价|最低价|砍价|值不值|值得",
    "form": "品牌|牌子|质量|品质|外观|颜色|样子|款式|包装|进口|国产|原装|正品|材质|尺寸|大小|重量|送货|配送|上门|安装|门店|线上|网上",
    "emotion": (
        "担心|担忧|害怕|怕|焦虑|着急|心急|烦|头疼|麻烦|生气|气死|失望|不放心|放心|安心|踏实|面子|体面|"
        "受不了|没人管|推来推去|被重视|信任|靠谱|不靠谱|委屈|尴尬|累|操心|好几次|三次|又打|一直没"
    ),
    "business": (
        "停机|停线|停产|延误|交期|交货|晚交|罚款|罚金|违约|赔偿|扣款|损失|丢单|流失|投诉|差评|业绩|"
        "增长|利润|效率|产能|良率|市场份额|竞争对手|KPI|考核|转型|扩张|人手|人力成本|客户关系|跟着走|带走|"
        "招不到人|招不到|缺人|用工|人工成本"
    ),
    "goal": "增长|业绩|目标|效率|KPI|份额|扩张|转型",
    "purpose": "用来|用于|拿来|为了|打算|准备|想要用|做什么|干什么|因为|平时|每天|主要是|场景|给.{1,8}(?:买|用|吃|喝|穿|住|送)",
    "purpose_strong": "给.{1,8}(?:买|用|吃|喝|穿|送)|用来|用于|拿来|为了|因为",
    "function": (
        "功能|能不能|可以|需要能|要能|得能|酸|甜|辣|淡|耐用|结实|速度|快|慢|容量|续航|性能|稳定|安全|"
        "营养|健康|好用|方便|简单|易用|管理|记录|提醒|自动"
    ),
    "need_verbs": "想要|想买|想吃|想喝|想找|想(?:看看|订|换|上|装|配|升级|办|了解)|不行|不想|不希望|需要|要求|希望|最好|必须|得|一定要|(?<![主重])要|能不能|可不可以|有没有|就想|只要|别|不要|不能",
    # asking for a product or a price (the stated request)
    "request": (
        "想买|要买|买点|买些|想要|需要|想找|想(?:看看|订|换|上|装|配|升级|办|了解)|最好|希望|一定要|必须|"
        "来(?:一|两|几)|要(?:一|两|几)|报个?价|怎么卖|多少钱|推荐"
    ),
    "question_request": "有没有|能不能|可不可以|可以.*吗",
    "motive": "(?:因为|为了|由于)",
    # a problem, a loss, a difficulty the customer lives with
    "pain": (
        "招不到|没人愿意|没人干|缺人|人手不够|忙不过来|坏了|故障|出问题|老出|总出|经常|老是|总是|又坏|"
        "不好用|不够用|太慢|太贵|太麻烦|投诉|差评|损失|停机|停线|罚款|延误|来不及|跟不上|赶不上|费劲|"
        "浪费|头疼|受不了|烦死|(?<!^)麻烦(?![您你])|难搞|搞不定|不方便|不准|漏|卡顿|流失|丢单|晚交|扣款|睡不好|累得"
    ),
    "negative_constraint": "不要|别|不能|不想|不希望|不超过|不能超过|以内|控制在|之前",
    "agree": r"^(?:是的?|对|对的|没错|嗯|就是|确实|正是|可以|好|行)",
    "deny": r"^(?:不是|不对|不用|没有|不需要|不太|也不是|倒不是|那倒没有)",
    "buy": "就要这个|就这个吧|就它了|我要了|买了|下单|成交|签合同|包起来|给我来|定了|就买",
    "greeting": r"^(?:你好|您好|嗯+|哦+|好的?|谢谢|再见|行|可以|是的?|对)[。！!，,]?$",
    "b2b": (
        "公司|企业|工厂|厂里|单位|集团|采购|招标|项目|门店|连锁|医院|学校|银行|运营商|物业|供应商|合同|"
        "主机厂|生产线|产线|车间|停机|交货|交期|罚款|订户|经销商|我们的客户|我们客户|酒店|我们店|餐厅|工地"
    ),
}

EN: dict[str, str] = {
    "people": (
        r"wife|husband|son|daughter|kids?|child(?:ren)?|baby|mother|father|mom|dad|parents?|"
        r"grand(?:ma|pa|mother|father|parents?)|family|friends?|colleagues?|staff|employees?|team|"
        r"students?|teachers?|patients?|nurses?|drivers?|residents?|tenants?|cleaners?|night shift|operators?"
    ),
    "customers_of_customer": (
        r"our (?:customers?|clients?|users?|subscribers?|members?|patients?|guests?)|end[- ]users?|"
        r"subscribers?|churn"
    ),
    "decision": r"boss|board|approve|approval|sign[- ]off|decide|decision|my manager|procurement",
    "decision_process": r"tender|approval|trial|evaluate|evaluation|shortlist|rfp|sign[- ]off",
    "timing": r"next (?:week|month|quarter)|by (?:monday|friday|the end)|deadline|asap|urgent|before|launch|tender",
    "budget": r"budget|\$\s?\d|\d+\s?(?:dollars|usd|k\b)|under \d|no more than",
    "price": r"cheap|expensive|price|cost|discount|value for money|afford|lowest|quote",
    "form": r"brand|quality|colou?r|design|look|style|packag|imported|genuine|material|size|delivery|install|in[- ]store|online",
    "emotion": r"worr|afraid|fear|anxious|frustrat|annoy|angry|upset|disappoint|trust|reliab|embarrass|stress|peace of mind|again and again|three times",
    "business": (
        r"downtime|delay|late deliver|penalt|lost (?:orders?|customers?|deals?)|churn|complain|revenue|"
        r"growth|margin|profit|efficien|capacity|market share|competitor|kpi|targets?|can't hire|short[- ]staffed|turnover"
    ),
    "goal": r"growth|target|efficien|market share",
    "purpose": r"\bfor (?:my|our|the)\b|\bso that\b|\bbecause\b|\bin order to\b|\bwe use\b|\bto use\b|\bgift\b|\bplanning to\b",
    "purpose_strong": r"\bfor my\b|\bbecause\b|\bso that\b",
    "function": r"feature|must|needs? to|able to|support|fast|slow|capacity|battery|performance|stable|safe|simple|easy|manage|track|remind|automat|cushion|sour|sweet",
    "need_verbs": r"\bwant|\bneed|\blooking for|\bwould like|\bhope|\bmust\b|\bhave to\b|\bshould\b|\bprefer|\bcan you\b|\bdon't want|\bonly\b",
    "request": r"looking for|\bwant\b|\bneed\b|\bbuy\b|\bquote\b|how much|do you (?:have|sell)|recommend",
    "question_request": r"\bdo you have\b|\bcan you\b|\bcould you\b",
    "motive": r"(?:because|so that|since)",
    "pain": (
        r"can't (?:find|hire|keep)|nobody wants|short[- ]staffed|broke|breaks|broken|keeps? (?:failing|breaking|crashing)|"
        r"always|problem|issue|too (?:slow|expensive|hard)|complain|losing|lost|downtime|struggl|hard to|waste|"
        r"late|delay|penalt|fails?|crash|behind|overwhelm|exhaust|can't sleep|headache|nightmare"
    ),
    "negative_constraint": r"\bno more than\b|\bunder \d|\bwithout\b|\bdon't want\b|\bnot too\b|\bbefore\b|\bmust not\b",
    "agree": r"^(?:yes|yeah|yep|right|exactly|correct|true|sure)\b",
    "deny": r"^(?:no\b|nope|not really|not exactly|that's not|it isn't|it's not)",
    "buy": r"i'll take|we'll take|let's go with|sign (?:the|a) contract|place (?:an|the) order|\bdeal\b|wrap it",
    "greeting": r"^(?:hi|hello|hey|thanks|thank you|ok(?:ay)?|bye)[.!]?$",
    "b2b": r"\bcompany\b|\bfactory\b|\bprocurement\b|\btender\b|\bvendor\b|\bsupplier\b|\bour team\b|\bB2B\b|\bSaaS\b|\bhotel\b|\bour stores?\b",
}

LEXICONS: dict[str, dict[str, str]] = {"zh": ZH, "en": EN}
CUES: tuple[str, ...] = tuple(ZH)
_FLAGS = re.IGNORECASE

if set(ZH) != set(EN):  # pragma: no cover - a declaration error, caught at import
    raise RuntimeError(f"lexicons differ: {sorted(set(ZH) ^ set(EN))}")


@lru_cache(maxsize=None)
def cue(name: str, language: str | None = None) -> re.Pattern[str]:
    """The compiled cue: both languages by default, one when ``language`` is given."""
    if name not in ZH:
        raise KeyError(f"unknown cue {name!r}; known: {', '.join(CUES)}")
    if language is not None:
        return re.compile(LEXICONS[language][name], _FLAGS)
    return re.compile(f"(?:{ZH[name]})|(?:{EN[name]})", _FLAGS)


def first(name: str, text: str, language: str | None = None) -> re.Match[str] | None:
    return cue(name, language).search(text)


SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s+|\n+")


def sentences(text: str) -> list[str]:
    """Split into sentences after 。！？；(and . ! ? in English); keeps the punctuation."""
    parts = [p.strip() for p in SENTENCE_END.split(text) if p and p.strip()]
    return parts or ([text.strip()] if text.strip() else [])


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def language_of(text: str) -> str:
    return "zh" if has_chinese(text) else "en"
