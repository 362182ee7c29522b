"""Word cues (Chinese and English) that signal needs and discovery slots in what a customer says.

Used by the rule-based extractor (the fallback that never fails) and by the discovery
state to mark which slots the customer has already spoken to.
"""

from __future__ import annotations

import re

# People a purchase may really be for (the user behind the buyer).
PEOPLE_ZH = (
    "儿媳妇|媳妇|儿媳|我妈|我爸|对象|未婚妻|未婚夫|老婆|老公|爱人|丈夫|妻子|孩子|小孩|宝宝|儿子|女儿|孙子|孙女|外孙|老人|父母|爸妈|"
    "爸爸|妈妈|老爸|老妈|婆婆|公公|岳父|岳母|奶奶|爷爷|外婆|外公|家人|家里人|朋友|同事|员工|工人|"
    "师傅|销售|业务员|客服|学生|老师|病人|患者|孕妇|新生儿|住户|业主|居民|租户|司机|护士|医生|店员|门店"
)
PEOPLE_EN = (
    r"wife|husband|son|daughter|kids?|child(?:ren)?|baby|mother|father|mom|dad|parents?|"
    r"grand(?:ma|pa|mother|father|parents?)|family|friends?|colleagues?|staff|employees?|team|"
    r"students?|teachers?|patients?|nurses?|drivers?|residents?|tenants?"
)
# The customer's own customers (B2B: the customer's customer).
CUSTOMERS_OF_CUSTOMER_ZH = (
    "我们的客户|我们客户|我的客户|客户那边|终端客户|下游|主机厂|订户|用户投诉|用户流失|我们的用户|"
    "消费者|会员|乘客|游客|患者家属|住户投诉|业主投诉|经销商"
)
CUSTOMERS_OF_CUSTOMER_EN = (
    r"our (?:customers?|clients?|users?|subscribers?|members?|patients?|guests?)|end[- ]users?|"
    r"subscribers?|churn"
)
DECISION_ZH = "(?<!^)老板(?![，,])|^老板(?![，,])|领导|点头|总经理|经理|主任|校长|院长|采购部|董事会|拍板|说了算|做决定|决定权|审批|批准|商量|签字"
DECISION_EN = r"boss|board|approve|approval|sign[- ]off|decide|decision|my manager|procurement"
TIMING_ZH = "下周|下个月|月底|年底|季度|尽快|马上|立刻|急着|赶在|之前|什么时候|多久|截止|期限|招标|上线|开学|开业|预产期"
TIMING_EN = r"next (?:week|month|quarter)|by (?:monday|friday|the end)|deadline|asap|urgent|before|launch|tender"
BUDGET_ZH = r"预算|[0-9一二两三四五六七八九十百千万几]+\s*(?:块|元|万(?![台件个套盒桌辆人])|千(?![台件个套盒桌辆人]))|以内|不超过|不能超过|控制在|左右"
BUDGET_EN = r"budget|\$\s?\d|\d+\s?(?:dollars|usd|k\b)|under \d|no more than"
PRICE_ZH = "便宜|贵|价格|价钱|多少钱|报价|性价比|划算|实惠|优惠|折扣|打折|成本|省钱|低价|最低价|砍价|值不值|值得"
PRICE_EN = r"cheap|expensive|price|cost|discount|value for money|afford|lowest|quote"
FORM_ZH = "品牌|牌子|质量|品质|外观|颜色|样子|款式|包装|进口|国产|原装|正品|材质|尺寸|大小|重量|送货|配送|上门|安装|门店|线上|网上"
FORM_EN = r"brand|quality|colou?r|design|look|style|packag|imported|genuine|material|size|delivery|install|in[- ]store|online"
EMOTION_ZH = (
    "担心|担忧|害怕|怕|焦虑|着急|心急|烦|头疼|麻烦|生气|气死|失望|不放心|放心|安心|踏实|面子|体面|"
    "受不了|没人管|推来推去|被重视|信任|靠谱|不靠谱|委屈|尴尬|累|操心|好几次|三次|又打|一直没"
)
EMOTION_EN = r"worr|afraid|fear|anxious|frustrat|annoy|angry|upset|disappoint|trust|reliab|embarrass|stress|peace of mind|again and again|three times"
BUSINESS_ZH = (
    "停机|停线|停产|延误|交期|交货|晚交|罚款|罚金|违约|赔偿|扣款|损失|丢单|流失|投诉|差评|业绩|"
    "增长|利润|效率|产能|良率|市场份额|竞争对手|KPI|考核|转型|扩张|人手|人力成本|客户关系|跟着走|带走"
)
BUSINESS_EN = (
    r"downtime|delay|late deliver|penalt|lost (?:orders?|customers?|deals?)|churn|complain|revenue|"
    r"growth|margin|profit|efficien|capacity|market share|competitor|kpi|targets?"
)
PURPOSE_ZH = "用来|用于|拿来|为了|打算|准备|想要用|做什么|干什么|因为|平时|每天|主要是|场景|给.{1,8}(?:买|用|吃|喝|穿|住|送)"
PURPOSE_EN = r"\bfor (?:my|our|the)\b|\bso that\b|\bbecause\b|\bin order to\b|\bwe use\b|\bto use\b|\bgift\b|\bplanning to\b"
FUNCTION_ZH = (
    "功能|能不能|可以|需要能|要能|得能|酸|甜|辣|淡|耐用|结实|速度|快|慢|容量|续航|性能|稳定|安全|"
    "营养|健康|好用|方便|简单|易用|管理|记录|提醒|自动"
)
FUNCTION_EN = r"feature|must|needs? to|able to|support|fast|slow|capacity|battery|performance|stable|safe|simple|easy|manage|track|remind|automat|cushion|sour|sweet"
NEED_VERBS_ZH = "想要|想买|想吃|想喝|想找|想(?:看看|订|换|上|装|配|升级|办|了解)|不行|不想|不希望|需要|要求|希望|最好|必须|得|一定要|要|能不能|可不可以|有没有|就想|只要|别|不要|不能"
NEED_VERBS_EN = r"\bwant|\bneed|\blooking for|\bwould like|\bhope|\bmust\b|\bhave to\b|\bshould\b|\bprefer|\bcan you\b|\bdon't want|\bonly\b"
GREETING_ZH = r"^(?:你好|您好|嗯+|哦+|好的?|谢谢|再见|行|可以|是的?|对)[。！!，,]?$"
AFFIRM_ZH = r"^(?:是的?|对|对的|没错|嗯|就是|确实|正是|可以|好|行)"
AFFIRM_EN = r"^(?:yes|yeah|yep|right|exactly|correct|true|sure)\b"

_FLAGS = re.IGNORECASE


def _rx(zh: str, en: str) -> re.Pattern[str]:
    return re.compile(f"(?:{zh})|(?:{en})", _FLAGS)


PEOPLE = _rx(PEOPLE_ZH, PEOPLE_EN)
CUSTOMERS_OF_CUSTOMER = _rx(CUSTOMERS_OF_CUSTOMER_ZH, CUSTOMERS_OF_CUSTOMER_EN)
DECISION = _rx(DECISION_ZH, DECISION_EN)
TIMING = _rx(TIMING_ZH, TIMING_EN)
BUDGET = _rx(BUDGET_ZH, BUDGET_EN)
PRICE = _rx(PRICE_ZH, PRICE_EN)
FORM = _rx(FORM_ZH, FORM_EN)
EMOTION = _rx(EMOTION_ZH, EMOTION_EN)
BUSINESS = _rx(BUSINESS_ZH, BUSINESS_EN)
PURPOSE = _rx(PURPOSE_ZH, PURPOSE_EN)
FUNCTION = _rx(FUNCTION_ZH, FUNCTION_EN)
NEED_VERBS = _rx(NEED_VERBS_ZH, NEED_VERBS_EN)
GREETING = re.compile(GREETING_ZH, _FLAGS)
AFFIRM = _rx(AFFIRM_ZH, AFFIRM_EN)

B2B_HINTS = re.compile(
    "公司|企业|工厂|厂里|单位|集团|采购|招标|项目|门店|连锁|医院|学校|银行|运营商|物业|供应商|合同|"
    "主机厂|生产线|产线|车间|停机|交货|交期|罚款|订户|经销商|我们的客户|我们客户|"
    r"\bcompany\b|\bfactory\b|\bprocurement\b|\btender\b|\bvendor\b|\bsupplier\b|\bour team\b|\bB2B\b|\bSaaS\b",
    _FLAGS,
)

SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s+|\n+")


def sentences(text: str) -> list[str]:
    """Split into sentences after 。！？；(and . ! ? in English); keeps the punctuation."""
    parts = [p.strip() for p in SENTENCE_END.split(text) if p and p.strip()]
    return parts or ([text.strip()] if text.strip() else [])


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
