"""Cue words, one lexicon per language, shared by every reader of customer words.

The rule-based extractor, the discovery state, the sentence reader, the coach's turn
reader (``turn_*`` and the entries after it), the open-item reader (``TALK_*``) and the
role-play classifier (trainee lines: question words, SPIN stages, probes, pitches) all look
words up here; a cue is declared once per language. Each entry is a regular-expression
alternation. ``cue(name)`` matches either
language (customers mix them: "预算 5k", "要 SaaS 的"); ``cue(name, "en")`` one only.
"""

from __future__ import annotations

import logging
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
    "buy": ("就要这个|就这个吧|就它了|我要了|买了|下单|成交|签合同|包起来|给我来|定了|就买|"
            r"(?:我|就)(?:现在|今天|这就|马上)?就?(?:交|付)(?:个|了)?定金|我(?:来)?刷卡|刷卡吧|扫码付|结账吧|买单吧|"
            r"就按你说的(?:来|办)|那我就(?:拿|要|买|订)|我就(?:拿|要)(?:这|那)"),
    "greeting": r"^(?:你好|您好|嗯+|哦+|好的?|谢谢|再见|行|可以|是的?|对)[。！!，,]?$",
    "b2b": (
        "公司|企业|工厂|厂里|单位|集团|采购|招标|项目|门店|连锁|医院|学校|银行|运营商|物业|供应商|合同|"
        "主机厂|生产线|产线|车间|停机|交货|交期|罚款|订户|经销商|我们的客户|我们客户|酒店|我们店|餐厅|工地"
    ),
    # ---- the turn reader (what a customer turn does, for the coach's next move) ----
    "turn_buy": (
        r"各来|先(?:订|买|来|拿)|订[一两二三四五六七八九十几\d]+[台套件个份]|就(?:订|签)|来[一两二三四五六七八九十几半\d]+[斤个份盒箱台套件]|"
        r"就要(?:这|那)|就买|我买了|我要了|帮我包|包起来|下单|成交|签(?:合同|约)|按这个(?:方案)?签|签吧|"
        r"就这么定|就定(?:这|了)|给我拿|拿[一两二三四五\d]+[斤个份盒]|先来[一两二三四五\d]+"
    ),
    "turn_agree": r"^(?:是的|是啊|对的?|对对|没错|嗯+|就是(?:这样|这个意思)?|确实|正是|可以|好的?|行|没问题)(?:[，,。！!.~～\s]|$)",
    "turn_deny": r"^(?:不是|不对|不用|没有|不太对|不不|也不是|倒不是)",
    "asks_recommendation": r"推荐|还有别的|还有什么|有什么好的|有没有别的|别的.{0,4}吗",
    "turn_pain": (
        r"招不到|没人|不够|投诉|麻烦|老是|总是|经常|停机|坏了|出问题|故障|太慢|慢得|头疼|难受|损失|罚款|延误|晚了|抱怨|"
        r"来不及|跟不上|流失|丢了|吃不消|不好用|不方便|折腾|跑了好几|扯皮|返工|积压"
    ),
    "turn_constraint": r"别太贵|不要太贵|不能超过|不超过|以内|预算|控制在|必须|一定要|只要|就行|就好|不能太",
    "turn_request": r"想买|想要|买点|要买|买几|报个?价|看看|想订|想换|想找",
    "turn_need": r"想吃|想喝|想用|需要|希望|最好|要求|得能|能不能|要能|不想|怕|要是能|如果能|就好了",
    "state_of_person": r"怀孕|生病|住院|上学|退休|年纪大|刚出生|坐月子|受伤|过敏",
    # ---- the coach's policy: who the person behind the buyer is not (coach/policy.py) ----
    # staff of the customer's own business (the user behind the buyer is someone else)
    "staff": r"保洁|员工|工人|师傅|阿姨|同事|销售|客服|店员|前台|护士|医生|司机|厨师",
    # people named too vaguely to ask about ("家人"): the coach asks who exactly (used with match)
    "vague_people": r"^(?:家人|家里人|朋友|同事|员工)$",
    # the people who decide (the person behind the decision: ask what they weigh)
    "decision_makers": r"老板|领导|总经理|经理|主任|校长|院长|园长|厂长|店长|董事长|理事长|总监|合伙人|股东|业委会|董事会|采购部",
    # asking what there is for them, after agreeing to what was summed up ("你看有没有合适的？")
    "asks_what_fits": r"有没有合适的|有什么合适的|有什么推荐|推荐(?:一|两|几)(?:款|个|种)|你看(?:哪|什么)(?:款|个|种)",
    # ---- end of the policy's entries ----
    "turn_question": r"[？?]\s*$|吗[。！]?$",
    "question_end": r"(?:[?？]|吗[。！!]?|呢[?？。]?)\s*$",
    # group 1: the option asked about ("那猕猴桃孕妇能吃吗" → 猕猴桃); use one language at a time
    "option_in_question": r"^(?:那)?([\u4e00-\u9fff]{2,6}?)(?:孕妇|老人|小孩|孩子|宝宝)?(?:能|可以|适合|好不好|怎么样|行不行)",
    "people_in_law": r"(?!)",  # Chinese names in-laws in "people" (儿媳妇, 岳母…)
    # words around a span that carry nothing: a lead-in, trailing punctuation
    "filler": r"^(?:其实|就是|那个|嗯|哦|啊|呃|我们|我)+|[。！？!?，,；;…\s]+$",
    # ---- who speaks: a label typed before the words ("客户说：", "【销售】") ----
    "customer_role": r"(?:客户|顾客|买家|客人)(?:说)?",
    "sales_role": r"(?:销售|卖家|导购|店员|我)(?:说)?",
    # ---- restating a need: the words a restatement leaves out ----
    "speaker_label": r"(?:客户|顾客|销售|买家|卖家)(?:说)?\s*[:：]",
    "restate_lead": (
        r"^(?:嗯+|哦+|啊+|唉|哎|那个|这个|其实(?:是)?|就是|说实话|老实说|是这样(?:的)?|然后|还有|另外|而且|反正|所以|"
        r"不过|但是|对了|我跟你说|我觉得|我想说|怎么说呢|主要是|主要|现在|目前|最近|这阵子|平时|那|老板|师傅|您好|你好)[，,\s]*"
    ),
    "restate_subject": r"^(?:我们|咱们|我|咱)(?=.{3,})",
    "restate_tail": r"(?:的话|就行了?|就好了?|就可以了?|就成|吧|啊|呢|呀|哈|嘛|啦|哦|喔|了吧)+$",
    "restate_filler": r"那种|一点儿?|一下|比较|这个|那个|其实|反正|真的|实在|特别",
    "to_seller": r"(?:你们|你|您).{0,6}(?:吧|一下|看看|推荐|介绍)|^(?:麻烦|请)(?:你|您)",
    # trainee lines, read by the role-play classifier (assistant/roleplay/classify.py)
    "question_words": r"什么|怎么|怎样|为什么|为啥|哪|谁|几|多少|是否|有没有|能不能|可不可以|要不要|是不是|对不对|如何|呢|吗",
    "open_question_words": r"什么|怎么|怎样|为什么|为啥|哪|谁|如何|多少|多大|多久|多长|多远|几|说说|讲讲|聊聊|介绍一下|多讲|展开|具体|觉得呢|怎么看",
    "request_to_talk": r"说说|讲讲|聊聊|介绍一下|谈谈",
    "generic_opener": r"有什么(?:可以|能)?帮(?:您|你)|需要点什么|想看点什么",
    "stacked_join": r"[，,；;]\s*(?:还有|另外|以及|并且|而且)?\s*(?:用了|有没有|是不是|多久|多少|哪|什么|谁|几|怎么)",
    # leading: statement-questions that take the answer for granted ("别的都无所谓？"); tag
    # questions after an assumption are ``tag_question`` (a summary checked back is not leading)
    "leading": (
        r"难道|对吧|是吧|吧[？?]|[，,]\s*(?:我猜|我估计|我想|我看|我琢磨)(?:着|的话)?\s*[？?]$|不是吗|(?:您|你)说是不是|(?:您|你)说对不对|肯定|一定.*吧|你不觉得|您不觉得|是不是更好|是不是比|不心动|最好是.*吧|大家都选|"
        r"(?:别的|其他|其它|其余|剩下的)的?(?:都|也都|全都)?(?:无所谓|不重要|不用管|不用考虑|不在乎|不考虑|不管|没关系)"
    ),
    "tag_question": r"[，,、]\s*(?:是不是|对不对|对不|是不|没错吧?|不对吗|是这样吧?|我说[得的]对(?:吗|不)|我没说错吧)(?:啊|呀|呢)?\s*[？?]",
    # a yes/no question that names its own guess of the need, the user or the reason ("是给孩子用的吗？",
    # "您换眼镜是因为度数涨了吗？"): read with no wh-word and no either-or (role-play: releases nothing)
    "guess_question": (
        r"^(?:[^，,。？?]{0,10}[，,])?[^，,。？?还或]{0,8}?(?:是不是|是)(?:因为|为了|给|替|想|担心|怕|要|准备|打算|"
        r"买给|送给|拿去|用来|用于|[^，,。？?]{1,4}(?:担心|怕|嫌|想要))[^？?还或]*?(?:吗|的吧|吧)[？?]\s*$|"
        r"^(?:[^，,。？?]{0,10}[，,])?是(?!不是|否)[^，,。？?还或]{2,}吗[？?]\s*$"  # "是产线停过机吗？": is it that …?
    ),
    # a line that closes on a pitch after its question (read on the words after the last "？")
    "closing_pitch": r"推荐您|给您推荐|现在下单|今天就?(?:下单|定|签)|给您(?:拿|来|装|包|开|办|上)|就(?:选|定|要|拿|上)(?:这|那|我们)|直接(?:上|拿|选|定)|我(?:给您|帮您)(?:推荐|安排|下单|开通)|来(?:一|两|几)(?:台|套|个|款)",
    "spin_situation": r"现在|目前|平时|一般|通常|用的是|多少人|多大|多久|几台|几个|哪家",
    "spin_problem": r"问题|困难|难处|(?<!^)麻烦(?![您你])|^麻烦(?![您你])|不满意|不满|满意吗|担心|顾虑|痛点|头疼|(?<!麻)烦|不方便|卡在|不够用|不顺手|放心不下|故障|不准|太慢|太贵|有点贵|为什么想换|为啥想换",
    "spin_implication": r"影响|后果|损失|导致|会怎样|会怎么样|如果不|不解决|耽误|代价|罚|多花|丢多少|多出|要花多少|会变成|会不会很累|浪费|排队|得停|多交",
    "spin_need_payoff": r"(?:如果|要是|假如).{0,24}(?:能|会|省|方便|有)|解决了|帮到|帮助|好处|价值|意味着|有什么用处|成功|理想|最希望|肯定也想",
    "probe_purpose": r"主要是(?!谁|哪|您自己|你自己|老人看|孩子看|手工).{0,14}还是|为了|(?<!不管您)(?<!不管你)做什么(?!生意)|干什么|干啥|用来|用途|什么用|为什么要|为什么想|买来|场合|场景|打算怎么|目的|放在|什么地方用|哪里用|在哪用|用在哪|主要做",
    "probe_user": r"给谁|谁用|谁吃|谁喝|谁穿|谁开|谁来|谁在用|谁会用|家里谁|送人|谁要|用的人|哪个班组|哪些人|哪个岗位|哪位|自己用还是|给家里|几口人|老人或者小孩|老人还是孩子",
    "pitch": r"我们的|我们家|咱家|这款|这个产品|特价|优惠|打折|折扣|买.送.|送您|保证|最好的|推荐您|给您推荐|来(?:两|一|几|点|些)|称(?:点|两斤|几斤)|要不要来|包您|又.{1,4}又|性价比最高|质量最好|现在下单|补血|养颜|不要钱|免费送|送一部|全国联保|口碑最好|做了.{1,4}年|试驾活动|显白|肯定好看|还是直接上|这套系统|这套方案|都适用|难道您不想买|不心动|大家都选|肯定要选|划算|上哪儿找|哪儿找去|哪里找得到|上哪找|哪找去|还犹豫什么|还等什么|闭眼入|延保|"
             r"(?:我们|咱们|这款|这套|这台)[^？?。]{0,10}(?:有|带|支持|配|自带)[^？?。]*(?:、[^、？?。]+){3,}",
    "confirmation": r"您的意思是|你的意思是|也就是说|我理解|我确认一下|确认一下|所以您",
    # asking how much the customer will take ("您要几斤？", "给您称多少？"): a close, whatever comes before it
    "purchase_quantity": r"(?:您|你|给您|给你)(?:要|拿|买|称|订|来|装)(?:几|多少)(?:斤|两|个|盒|箱|袋|份|件|双|台|套|部|瓶|包|串|把)?(?:呀|啊|呢|吧)?[？?]\s*$",
    # ---- options, recommendations and choices (the coach's options reader, assistant/coach/options.py,
    # and the close, assistant/coach/closing.py); sure words only: the labelled lines of
    # understanding/data/coach_readings.jsonl and choice_references.jsonl read the rest by meaning
    "invite_sure": r"推荐|有没有别的|还有别的|还有什么别的|有没有更|更适合|给个建议|出出主意|拿个主意|你看着办|你帮我(?:挑|选|定)|换(?:作|做|成)是你|要是你|如果是你",
    "option_eval": (
        r"(?:真的|到底|是不是|会不会|能不能|可不可以)?(?:管用|有用|好用|合适|适合|能用|能吃|能喝|可以吃|可以用|好不好|"
        r"怎么样|行不行|靠谱|靠得住|划算|值得|有效|有好处|好吗|行吗|结实|方便|好使|能|可以|会|太|([\u4e00-\u9fff])不\1)"
    ),
    "option_lead": r"^(?:那|这|那么|还有|另外|要是|如果|你们|您们|你说|请问)*(?:种|个|款|类|些|套)?(?:就是)?",
    "option_tail": r"(?:的那种|的这种|那种|这种|那款|这款|这个|那个|的话|呢|啊|吧)+$",
    "option_person_tail": r"(?:[\u4e00-\u9fff]{1,2}的)?(?:孕妇|老人|小孩|孩子|宝宝|婴儿|老年人|病人|人)$",
    "option_not": r"除了|别的|其他|之前|以后|之后|月底|年底|下周|下个月|明天|今天|多久|什么时候|价格|价钱|多少钱|预算|发票|保修|送货|上门|营业",
    "option_intro": r"(?:那种|这种|那款|这款|那类|这类|一种|一款)([\u4e00-\u9fffA-Za-z0-9]{2,12})",
    "option_back": r"^(?:那|这)(?:个|种|款|类|样)?|^它",
    # "你们有那种料理包吗？": asking whether the seller has a kind of thing names that thing
    "option_have": r"有(?:没有)?(?:那种|这种|那类|这类|那款|这款)(?P<np>[\u4e00-\u9fffA-Za-z0-9]{2,12}?)(?:的)?(?:吗|没有|不)?[？?]",
    "option_subject": r"(?!)",
    "option_about": r"^(?:那|那么|还有|另外)?(?P<np>[\u4e00-\u9fffA-Za-z0-9]{2,10}?)(?:的话)?呢[？?，,]?$",
    "option_article": r"(?!)",
    "option_pronoun": r"[你您我他她]",
    "option_sentence": r"[。！？!?；;，,]|建议|可以|您|你|我们|推荐|如果|因为",
    "option_requested": (
        r"(?:买|采购|订|要|找|看看|换|配|称|挑)(?P<unit>(?:一|两|几|点|个|台|批|罐|套|张|些|款|辆|部|件|盏|把)*)"
        r"(?:新的?)?([\u4e00-\u9fff]{1,8}?)(?:[，,。！!？?吧呢啊]|你们|报|$)"
    ),
    "option_dangling": r"(?!)",
    "option_loose": r"(?!)",
    "option_cut": (
        r"(?<=..)(?:[你您我他她它]|咱|家里|老人|小孩|孩子|宝宝|孕妇|新手|员工|工人|销售们|病人|客人|对|给|让|在|放|"
        r"(?:穿|用|盖|戴|吃|喝|睡|骑|开|抱|停|看|听|拍|装|住|坐|洗|跑|练|学)(?:着|起来|得|上|了)?|周转|维护|防|晚上|真的|到底)"
    ),
    "option_object": r"(?!)",
    "option_for_person": r"(?:对|给|让)(?:他|她|它|您|你|我)?[\u4e00-\u9fff]{0,3}$",
    "about_customer": r"客户|顾客|客人",
    "choice_all": r"各(?:来|要|拿|称|打|买|订|配|一)|都要|都来|都拿|都买|都包|都上|都做|全要|一起(?:配|要|拿|买)|(?:两|几|三)(?:样|个|种|件|双|款)都|这几样",
    "choice_first": r"第一(?:种|个|款|件|双|套|档)?|前面(?:说|那)|先说的|前一",
    "choice_second": r"第二(?:种|个|款|件|双|套|档)?|后面(?:说|那)|后一|后说的",
    "choice_suggested": r"(?:你|您)(?:们)?(?:刚才)?(?:说|推荐|建议|讲|挑|搭|给|提)的|听你的|按你(?:们)?(?:说|讲)的|照你(?:们)?说的",
    "choice_asked": r"我(?:刚才|刚|之前)?(?:问|看到|说)(?:你)?的|邻居家那种|我网上看到",
    "choice_request": r"原来(?:想要)?的|原计划|最开始(?:看)?的|别的(?:先)?不(?:要|用)|就(?:先)?(?:买|订|印)[\u4e00-\u9fff]{1,6}(?:吧|，别的)",
    "choice_deictic": r"[这那](?:个|种|款|台|套|双|件|副|盒|袋|箱|瓶|包|罐|张|把|支|条|束|本|份|些|样)|它",
    "choice_take": r"(?:拿|要|来|配|订|加|用|上|选|定|买|做|印|包)(?:一下|上)?",
    "choice_filler": r"^(?:那|那就|就|行|好的?|可以|这样|嗯|那我就|我就|我|你先|先|再|还是|也)+|(?:吧|呢|啊|了|给我|帮我)+$",
    "choice_count": r"[一两二三四五六七八九十几半\d]+\s*[斤个盒份袋箱瓶包罐张台把套件副双支条对束本份]|[一两二三四五六七八九十几\d]+码",
    "next_step": r"送货|送到|上门|安装|装好|打电话|发票|定金|付款|刷卡|合同|样品|报价|方案|打样|试用|下周|周五|月底",
    "close_next": r"安排|准备|送|发给|发您|打包|包好|装好|下单|付款|合同|样品|方案|联系|约|开单|登记",
    # an option turned down in a decision ("那就不要碳板了", "料理包我怕客人吃得出来"), question words
    # that are no part of an option's name ("那个什么碳板的呢"), how long a trial runs ("试一个月")
    "choice_refuse": r"不要|不用|算了|不考虑|先不|就不|别(?:拿|要|配|上)|不换|怕|担心|太(?:贵|吵|大|小|重|占)",
    "option_wh": r"^(?:什么|啥|哪种|哪个|哪款|哪一种|哪些)(?:样的)?",
    "choice_trial_tail": r"(?:先)?试(?:用|试|一下|[一两三四五六\d]+个?(?:月|周|星期|天|礼拜)).*$|(?:先)?试$",
    "choice_condition": r"^(?:[他她它我你您]们?)?(?:要是|如果|假如|万一)|^(?:等|回头|下回|下次)",
    # a question in two parts, a condition or state and what follows from it ("机器一停，后面……"):
    # the SPIN stage reader's cue for implication and need-payoff against a one-part problem question
    "spin_two_clauses": r"[，,；;]|一.{1,12}就|要是|如果|万一|假如",
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
    "buy": r"i'll take|we'll take|let's go with|sign (?:the|a) contract|place (?:an|the) order|\bdeal\b|wrap it|"
           r"\byou'?ve sold me\b|\b(?:i|we)'?ll (?:put down|pay) (?:a|the) deposit\b|\bwe'?ll go with\b|\bring (?:it|them) up\b",
    "greeting": r"^(?:hi|hello|hey|thanks|thank you|ok(?:ay)?|bye)[.!]?$",
    "b2b": r"\bcompany\b|\bfactory\b|\bprocurement\b|\btender\b|\bvendor\b|\bsupplier\b|\bour team\b|\bB2B\b|\bSaaS\b|\bhotel\b|\bour stores?\b",
    # ---- the turn reader ----
    "turn_buy": r"\b(?:i'?ll|we'?ll) take\b|\blet'?s go with\b|\bsign (?:the|it)\b|\bwe'?ll buy\b|\bi'?ll buy\b|\bplace (?:an|the) order\b|\bdeal\b",
    "turn_agree": r"^(?:yes|yeah|yep|right|exactly|correct|sure|that'?s right)(?:[，,。！!.~～\s]|$)",
    "turn_deny": r"^(?:not really|no\b|nope|that'?s not)",
    "asks_recommendation": r"what (?:else|would you) |recommend|suggest|other options?",
    "turn_pain": (
        r"\bcomplain|\bkeeps? (?:breaking|failing)|\bbroke|\bdown(?:time)?\b|\bshort[- ]staffed|\bcan'?t (?:find|hire|keep)|"
        r"\blate\b|\blosing\b|\bpenalt|\bhassle|\bstruggl|\bproblem"
    ),
    "turn_constraint": r"\btoo expensive\b|\bcheap|\bafford|\bunder\b|\bbudget\b|\bno more than\b|\bmust\b|\bhas to\b|\bas long as\b",
    "turn_request": r"\bwant to buy\b|\blooking for\b|\bquote\b|\bneed (?:a|some)\b|\bi'?d like\b",
    "turn_need": (
        r"\bneeds? to\b|\bwants?\b|\bhope\b|\bwould like\b|\bprefer|\bcrav|\bkeeps? wanting|\bwish\b|"
        r"\bif only\b|\bit would be great if\b"
    ),
    "state_of_person": r"\bpregnan|\bretired|\binjur|\ballerg|\bnewborn",
    # ---- the coach's policy: who the person behind the buyer is not (coach/policy.py) ----
    "staff": r"staff|employee|worker|team|colleague",
    "vague_people": r"^(?:family|friends?|colleagues?|staff|team)$",
    "decision_makers": r"\b(?:boss|owner|director|ceo|cfo|board|principal|head of \w+|partners?|investors?)\b",
    "asks_what_fits": r"\bwhat (?:have|do) you (?:got|have)\b|\bwhat(?:'s| is) out there\b|\bwhat are (?:my|the|our) options\b|\bshow (?:me|us) what\b",
    # ---- end of the policy's entries ----
    "turn_question": r"[？?]\s*$|\b(?:can|could|is|are|do|does|will|would)\b[^.?!]*\?",
    "question_end": r"[?？]\s*$",
    "option_in_question": r"^(?:can|could|is|are|do|does)\b.*?\b(?:eat|use|have|take|try)\s+(?:the\s+|some\s+)?([a-z][a-z-]+)",
    "people_in_law": r"(?:daughter|son|mother|father|sister|brother)-in-law|\b(?:wife|husband|partner)'s (?:parents|mother|father|mum|mom|dad|family)",
    "filler": r"[。！？!?，,；;…\s]+$",
    # ---- who speaks ----
    "customer_role": r"(?:Customer|Client|Buyer|C)(?:\s+says)?",
    "sales_role": r"(?:Sales(?:person|rep)?|Seller|Agent|Me|S)(?:\s+says)?",
    # ---- restating a need ----
    "speaker_label": r"\b(?:customer|client|sales(?:person)?)\s*(?:says)?\s*:",
    "restate_lead": r"^(?:well|so|and|but|plus|honestly|actually|look|ok(?:ay)?|yeah|yes|hi|hello|um+|uh+|basically|to be honest)(?:[,\s]+|$)",
    "restate_subject": r"(?!)",
    "restate_tail": r"(?!)",
    "restate_filler": r"(?!)",
    "to_seller": r"^(?:can|could|would) you\b|\bplease\b|\bsend (?:me|us)\b",
    # trainee lines, read by the role-play classifier (assistant/roleplay/classify.py)
    "question_words": r"\b(?:what|how|why|who|whom|which|when|where|do|does|did|are|is|could|would|can|will|have|should)\b",
    "open_question_words": r"\b(?:what|how|why|who|tell me|describe|walk me through|which|where|when)\b",
    "request_to_talk": r"\b(?:tell me|describe|walk me through)\b",
    "generic_opener": r"how can i help|what can i do for you|what do you think|tell me (?:a bit )?more",
    "stacked_join": r"\band (?:what|how|who|which|when|where|why)\b",
    "leading": (
        r"don't you think|wouldn't you agree|isn't it|surely|\bright\?$|"
        r",\s*i(?:'d| would)? (?:guess|suppose|imagine|bet|reckon|assume|take it)\s*\?$|"
        r"\bnothing else (?:matters|counts|really matters)|\bthat's all (?:that )?(?:matters|counts)|\ball that (?:matters|counts)\b|"
        r"\b(?:so )?(?:it's|that's|it is) (?:purely|only|just|all) (?:about )?(?:the )?(?:price|cost|unit price)\b"
    ),
    "tag_question": r"[,-]\s*(?:right|correct|yes|yeah|no|am i right|isn't that so|do you not|true|"
                    r"(?:do|does|did|is|are|was|were|will|would|can|could|has|have|had|should)n't (?:i|you|he|she|it|we|they|there)|"
                    r"won't (?:i|you|he|she|it|we|they|there)|"
                    r"(?:is|are|was|were|does|do|did|will|would|has|have) (?:it|he|she|they|you|we|there))\s*\?\s*$",
    "guess_question": (
        r"^(?:so,?\s*|and\s*|okay,?\s*)?(?:is|was) (?:it|this|that)(?: all| mainly| mostly| really| partly)? "
        r"(?:because|for|so|to|about|due to|since|down to|that)\b(?:(?!\bor\b)[^?])*\?\s*$|"
        r"^(?:so,?\s*)?are you (?:doing|buying|getting|replacing|changing) (?:it|this|them|these)? ?(?:for|because|as)\b(?:(?!\bor\b)[^?])*\?\s*$"
    ),
    "closing_pitch": r"\bbuy now\b|\bi(?:'d| would) recommend\b|\blet'?s (?:get you|go with|put you down|sign)|\bi'll (?:get|put|set) you (?:up|down|the)|\byou(?:'ll| will) (?:want|love) (?:the|our)|\b(?:go|grab) (?:with|for) (?:the|our)\b|\bthe (?:elite|premium|pro|top) (?:model|package|plan)\b",
    "spin_situation": r"currently|today|usually|how many|how often|what do you use",
    "spin_problem": r"problem|issue|difficult|challenge|worr|concern|frustrat|pain|happy with|what made you|go down|break",
    "spin_implication": r"affect|impact|consequence|cost(?:s|ing)? you|what happens if|lose|delay",
    "spin_need_payoff": r"if you could|if you had|would it help|benefit|worth|ideal|success|what would it mean",
    "probe_purpose": r"mainly for|for work or|what (?:is it|are they|'s it) for|use (?:it|them|this|these) for|purpose|occasion|what for|\bfor\?$|why do you (?:want|need)",
    "probe_user": r"who is (?:it|this|the \w+) for|who will (?:use|be using)|who's (?:it|this|the \w+) for|for whom|who else|who uses|for yourself|a gift",
    "pitch": r"what's not to (?:love|like)|what is not to (?:love|like)|you can't go wrong|can't beat (?:that|it|this)|who wouldn't want|"
             r"\bbetter fit\b|you'd want|get one free|buy two|\bour (?:product|price|offer|solution)|\bwe offer\b|\bbest\b|\bdiscount\b|\bdeal\b|\bbuy now\b|\bon sale\b",
    "confirmation": r"so you|if i understand|let me make sure|you mean",
    "purchase_quantity": r"\bhow many (?:would you like|do you want|shall i (?:get|put|wrap|bag)|can i (?:get|put) you|should i (?:get|put|wrap|bag))\b[^?]{0,30}\?\s*$|\bhow much would you like\s*\?\s*$",
    # ---- options, recommendations and choices (see the ZH block)
    "invite_sure": (
        r"\bsuggest|\brecommend|\bwhat else\b|\bother options?\b|\bif you were (?:me|us|her|him)\b|"
        r"\bin my (?:place|shoes)\b|\bwhat would you (?:\w+ )?(?:do|go for|pick|choose|get|buy|advise)\b|\byour advice\b"
    ),
    "option_eval": r"(?!)",
    "option_lead": r"^(?:one|some|any|a couple) of (?:those|these|the)\s+|^(?:those|these|the|a|an|that|this|some)\s+",
    "option_tail": r"(?!)",
    "option_person_tail": r"(?!)",
    "option_not": r"^(?:it|that|this|those|these|they|you|i|we|he|she|there|her|him|them|delivery|the price|the warranty)$",
    "option_intro": (
        r"\b(?:those|these|one of those|some of those|that new|the new|"
        r"(?:has|have|had|about|using|uses|saw|seen|heard of|tried)\s+(?:those\s+|these\s+|some\s+|the\s+)?(?=[a-z]))\s*"
        r"(?P<np>[a-z0-9][\w-]*(?:\s+(?!you\b|that\b|which\b|we\b|i\b|she\b|he\b|they\b|like\b|for\b|"
        r"with\b|from\b|and\b|or\b|at\b|in\b|is\b|are\b)[a-z0-9][\w-]*){0,4})"
    ),
    "option_back": r"^(?:that|those|these|this|they|it|them|one|one of them)$",
    "option_have": r"\b(?:do|does) (?:you|your shop|the shop) (?:have|sell|do|stock|carry) (?:any of |one of )?(?:those|these) (?P<np>[a-z0-9][\w-]*(?:\s+[a-z0-9][\w-]*){0,3})\s*\?",
    "option_subject": (
        r"^(?:so|and|but|well|okay|ok|hmm)?[,\s]*(?:would|will|could|can|is|are|does|do|should|might|what about|how about)\s+"
        r"(?P<np>.+?)\s+(?:be|help|work|suit|fit|do|make|handle|last|hurt|cause|really|actually|too|good|okay|ok|safe|fine|"
        r"right|worth|any|better|more|less|for|with her|with him|enough|cope|hold|keep|get|ride|cover|cost|easy|hard|noticeable|secure|reliable|stable)\b"
    ),
    "option_about": r"^(?:so|and|okay|ok)?[,\s]*(?:what|how) about\s+(?P<np>[^?.,]+)",
    "option_article": r"^(?:one|some|any|a couple) of (?:those|these|the)\s+|^(?:those|these|the|a|an|that|this|some)\s+",
    "option_pronoun": r"^(?:it|that|this|those|these|they|you|i|we|he|she|there|her|him|them|one)$",
    "option_sentence": r"[。！？!?；;，,]|\b(?:you|we|i|should|would|can|could|is|are)\b",
    "option_requested": (
        r"\b(?:buy|looking for|need|want|get|after)\s+(?:a|an|some|the)?\s*(?:quote (?:for|on)\s+(?:(?:a|an|some|two|three|\d+)\s+)?)?"
        r"(?:new\s+)?([a-z][a-z -]{1,30}?)"
        r"(?:\s+for\b|[.,!?]|$)"
    ),
    "option_loose": (
        r"^(?:so|and|but|well|okay|ok)?[,\s]*(?:would|will|could|can|is|are|does|do|should|might)\s+"
        r"((?:the|a|an|those|these|one of those)\s+[\w-]+(?:\s+(?!really\b|actually\b|be\b|help\b|work\b)"
        r"[\w-]+){0,3}?)\s+(?:really|actually|\w+s|be|have|get|make|take)\b"
    ),
    "option_cut": r"(?!)",
    "option_object": (
        r"^(?:so|and|but|okay|ok)?[,\s]*(?:can|could|would|should|will|may)\s+(?:she|he|they|i|we|you|my \w+|her \w+|his \w+)\s+"
        r"(?:still\s+|really\s+|safely\s+)?(?:eat|drink|use|wear|take|try|have|get used to|sleep on|ride|drive|manage|handle|put up with)\s+"
        r"(?P<np>[^?,.]+?)(?:\s+(?:while|if|when|during|at|every|for|with|in)\b|[?,.]|$)"
    ),
    "option_for_person": r"(?!)",
    "option_dangling": r"\b(?:for|your|you|the|a|an|to|and|with|of|when|which|that|is|are|especially|making|it)$",
    "about_customer": r"\bcustomers?\b|\bclients?\b",
    "choice_all": r"\bboth\b|\beach\b|\ball (?:of (?:it|them)|three|two)\b|\bthem all\b|\ball in\b|\bthe two of them\b",
    "choice_first": r"\bthe first\b|\boption one\b|\bthe former\b",
    "choice_second": r"\bthe second\b|\boption two\b|\bthe latter\b|\bthe other one\b",
    "choice_suggested": r"\byou (?:suggested|recommended|proposed|mentioned|said)\b|\byour (?:pick|advice|idea|proposal|suggestion)\b|\bwhat you (?:said|suggested)\b",
    "choice_asked": r"\bI (?:asked|mentioned|saw)\b|\bher neighbou?r has\b|\bmy friend mentioned\b",
    "choice_request": r"\bcame in for\b|\bafter all\b|\bstick with\b|\bjust the\b|\bstay with\b|\bonly the\b",
    "choice_deictic": r"\b(?:that|this|those|these|it|them)\b(?: one| ones)?",
    "choice_take": r"\b(?:take|go with|do|have|get|book|order|buy|try|trial|sample|print|quote us for)\b",
    "choice_filler": r"^(?:okay|ok|alright|great|fine|so|then|yes|sure|right)[,.!\s]+|[,.!\s]+(?:then|please|thanks)[.!]?$",
    "choice_count": r"\b(?:a|one|two|three|four|five|six|ten|twenty|\d+)\s+(?:pounds?|kilos?|boxes|units?|packs?|pairs?|copies|sets?|bags?)\b",
    "next_step": r"deliver|delivery|install|call|invoice|deposit|pay|contract|sample|quote|proposal|proof|trial|friday|monday|next week",
    "close_next": r"\barrange|\bready\b|\bsend\b|\bdeliver|\bpack|\binvoice|\bcontract|\bsample|\bproposal|\bcall\b|\bschedul|\bbook\b|\bwrap",
    # an option turned down ("No, ...", "not the leather one", "forget the big one"), question words
    # that are no part of an option's name, how long a trial runs
    "choice_refuse": r"^\s*no\b|\bnot (?:the|that|those|this)\b|\bforget\b|\bskip\b|\binstead of\b|\brather than\b|\bdon't (?:want|need)\b|\btoo (?:expensive|loud|big|much)\b",
    "option_wh": r"^(?:what|which)\s+(?:kind of\s+|sort of\s+)?",
    "choice_trial_tail": r"\s+(?:for|on) (?:a|one|two|three|\d+) (?:week|month|day)s?\b.*$",
    "choice_condition": r"^(?:if|once|when|should|in case)\b",
    "spin_two_clauses": r"[,;]|^(?:if|when|once|with|without|after|as|so|suppose|picture)\b",
}

# What a conversation leaves open (assistant/accounts/open_items.py): kept apart from the
# cues above because those are also the sentence classifier's features (classifier.py).
TALK_ZH: dict[str, str] = {
    # a turn to the point after a contrast: what follows is what the sentence is about
    "contrast": r"[，,；;]\s*(?:但是|但|可是|可|不过|只是|就是怕|偏偏)",
    "promise": (
        "我回去(?:确认|问|查|核实|了解|看|算|商量|申请|准备|整理|跟)|我(?:去|再)?(?:确认|核实|问一下|查一下|了解一下)(?:一下)?.{0,20}(?:再|给您|给你|回复|答复|告诉)|"
        "(?:下周|明天|周[一二三四五六日]|回头|过两天|尽快|月底前|下次)[^。？！]{0,12}(?:给您|给你|发给|发您|带|回复|答复|报给|提供)|"
        "下次我(?:带|拿|把|给)|我(?:会|这边)?(?:整理|准备|做)(?:一份|个|一下)[^。？！]{0,16}(?:发|给|带)|给您(?:答复|回复|个答复|发过去)|"
        "我帮您(?:问|申请|确认|争取|查)|我跟(?:公司|领导|技术|产品|总部)[^。？！]{0,8}(?:确认|申请|争取|沟通|问)|"
        "我(?:让|请|叫)(?:我们)?(?:技术|工程师|同事|产品|售后)[^。？！]{0,10}(?:联系|对接|过来|给您)|会后我|我(?:来)?(?:安排|约)(?:一次|一下|个)|"
        "(?:我|我们)(?:这边)?(?:出|做|写)(?:一|个)[^。？！]{0,10}(?:方案|测算|报价|清单)|我(?:再)?跟您确认|我打给您"
    ),
    "unanswered": (
        "得问(?:问|一下)?|要问(?:问|一下)?|我(?:得|要|去)?(?:问问|请示)|说了不算|我做不了主|不是我(?:能)?定|不归我管|这个我不清楚|我不太清楚|"
        "我也不(?:太)?(?:清楚|知道|确定)|不好说|说不准|要看(?:老板|领导|总部|集团|公司|上面|财务|IT|技术)|得(?:跟|和).{1,8}(?:商量|确认|核实)|"
        "(?:还)?没(?:定|想好|决定|消息|回复|回音)|还在(?:等|谈|评估)|回头(?:我)?(?:问|查|确认)|我查一下再|等.{1,8}(?:回来|定了|批了)|"
        "我不确定|(?:还|要|得)(?:要)?内部(?:讨论|评估|商量|开会)|我们内部(?:商量|讨论|评估)|得?上会|(?:老板|领导|总部)拍板|我没法(?:决定|答应|拍板)|"
        "目前还不清楚|还不好说|我需要跟.{1,8}(?:对一下|确认|商量)"
    ),
    "deferred": (
        "下次(?:再|专门|详细|细)?(?:聊|谈|说|讨论|看)|改天(?:再)?(?:聊|谈|说)|时间不够|来不及(?:说|聊|谈)|今天(?:先)?(?:到这|就到这|不展开)|"
        "先放一放|以后再说|回头再(?:说|聊|谈)|这个(?:先)?不急|另外找(?:个)?时间|单独(?:约|聊|开个会)|先不(?:谈|聊|说)这个|"
        "下回再|等下次|先聊到这|另约|以后有机会|先不展开|之后再(?:看|说|聊)|留到下次|[，,] *(?:那)?(?:下次|改天)吧"
    ),
    "probe": (
        "是不是|会不会|有没有可能|我猜|我估计|我理解(?:是|的是)?|听起来|感觉(?:您|你们)|(?:您|你们)(?:是不是|其实)|莫非|"
        "可能(?:您|你们)(?:更|其实)|背后(?:是|其实)"
    ),
    # what an account says it does not have, do or need (accounts/similar.py: a hypothesis from
    # another account that rests on it is ruled out here)
    # a clause that only leads into what the customer says ("还有啊，", "不过还有个事，", "别提了，")
    "lead_clause": (
        "^(?:哦|嗯|啊|哎|唉|对了|不过|另外|还有|而且|说实话|老实说|别提了|我跟你说|跟你说|再说)*"
        "(?:还有|另外)?(?:跟你说)?(?:个|一个|一件|件)?(?:事|事情)?(?:啊|呀|吧|哈|了|儿)?$"
    ),
    "lacks": (
        "(?:我们|咱们|我这|这边|店里|公司|厂里)(?:也|都|从来|基本|暂时|压根|根本)?(?:不做|没做|没有|不搞|不开|不涉及|不跑|不卖|不接|不碰)|"
        "没做|(?:我们|咱们)?(?:只做|只卖|只接|只跑)|不是我们的问题|倒不是(?:什么)?问题|"
        # "没有提成那一套", "跟我们不沾边", "我们用不上": the subject before or after the cue
        "没有(?=[^，,。；;！？]{1,10}(?:那一套|这一套|那回事|这回事))|(?:跟|和)(?:我们|咱们)(?:不沾边|没关系|不相干)|"
        "(?:我们|咱们|我)(?:这边|这儿)?(?:也|都)?(?:用不上|用不着)"
    ),
    # a sentence saying the account has only one of something ("就这一家店", "单店", "只有两个人"):
    # with a negation or a ``lacks`` cue, what a profile sentence needs to say it lacks a structure
    "only_one": ("单店|单家|单体|只有|只开|就这一|就一个|就一家|就这么一|这么一家|仅有|仅此|也就这|夫妻店|"
                 "就我(?:们)?(?:俩|两个|夫妻|一个)|(?:就|只)[^，,。；;]{0,4}(?:一|1)(?:家|个店|间)"),
    # pair features of the settled-hypothesis reader (accounts.similar): a negation in this
    # account's sentence, and words that say a matter is fine or handled already
    "negation": "不|没|别|未|无|非|甭",
    "no_problem": ("没问题|不是问题|没什么问题|不成问题|不愁|不用(?:你们)?操心|不操心|挺顺|顺得很|早就|已经|"
                   "弄好了|搞定了|解决了|基本没了|没这个事|用不着|用不上|不需要|早不|不再|再也不|停了|不干了|不沾边|不涉及|不适用|"
                   "那一套|这一套|(?:我们|咱们)不碰|没(?:啥|什么)好(?:管|操心|担心)的"),
    # a requirement tied to the speaker's own system ("跟我们现在那个小程序打通")
    "own_system": ("打通|对接|接入|接口|同步到|导入(?:到)?我们|(?:我们|咱们)(?:现在|自己)?(?:的|那个|这个|用的)"
                   "(?:系统|小程序|APP|app|软件|平台|公众号|网站|收银)"),
    # a word that only points, counts or dates ("那家", "两个", "上个月", "天天"): it says no answer
    "pointer_or_amount": r"^[这那哪]|[零一二三四五六七八九十两百千万几半0-9]|[年月天周]|钟头|小时|分钟",
}

TALK_EN: dict[str, str] = {
    "contrast": r"[,;]?\s+\b(?:but|though|except|only|yet|however)\b",
    "promise": (
        r"\bI'll (?:check|find out|confirm|get back|send|bring|follow up|ask|look into|put together|come back)|"
        r"\blet me (?:check|find out|confirm|get back|ask|look into)|\bI will (?:check|send|bring|confirm|follow up|get back)|"
        r"\bget back to you|\bfollow up (?:with|on)|\bsend (?:you|over) (?:a|the)|\bI'll have (?:an?|the) .{0,30} (?:for you|ready)|"
        r"\bnext time I'll|\bby (?:monday|tuesday|wednesday|thursday|friday|next week|end of (?:the )?week)\b.{0,20}\b(?:send|share)|"
        r"\bI'll (?:have|get) (?:our|my|the) .{0,30}(?:send|call|reach|contact|put)|\bI'll (?:set up|arrange|loop in|share|draft|email|circle back)|"
        r"\bwe'll (?:send|put together|prepare|share|get back)|\bI can send\b"
    ),
    "unanswered": (
        r"\b(?:I'd|I would|I'll|we'd|we'll) (?:have|need) to (?:check|ask|run it by|confirm)|\bnot my (?:call|decision)|\bnot up to me|"
        r"\bI don't know\b|\bnot sure\b|\bno idea\b|\bhaven't decided|\bstill (?:waiting|deciding|evaluating|figuring)|"
        r"\bneed to (?:check|ask|run it by) |\bthat's (?:a question )?for (?:our|the|my) |\bdepends on (?:what|whether|our|the) |\bTBD\b|"
        r"\b(?:I|we) need to (?:talk to|discuss|loop in)|\brun it past\b|\bdiscuss (?:it )?internally\b|\bnot the right person\b|"
        r"\bcan't commit\b|\bto be decided\b|\bcheck internally\b"
    ),
    "deferred": (
        r"\bnext time\b|\bout of time\b|\brunning out of time|\b(?:park|table) (?:that|this|it)\b|\blet's come back to|"
        r"\bseparate (?:call|meeting|session)|\banother (?:call|time|day)\b|\bnot today\b|\bfor later\b|\bcircle back|"
        r"\bsave (?:that|this|it) for\b|\bfollow-up (?:meeting|call)\b|\btake (?:that|this|it) offline|\b(?:discuss|cover) (?:that|this|it) later|"
        r"\bpick (?:that|this|it) up\b|\bout of scope for today"
    ),
    "probe": (
        r"\bis it (?:that|because|possible)|\bcould it be|\bI (?:suspect|guess|wonder if|imagine)|\bsounds like|\bmy guess|"
        r"\bam I right (?:that|in)|\bwould I be right|\bI'm guessing|\bmaybe (?:the real|what you)"
    ),
    "lead_clause": r"^(?:oh|and|also|so|well|plus|honestly|look|one more thing|another thing)+$",
    "lacks": (
        r"\bwe (?:also |just |really )?(?:don't|do not|never|no longer) (?:have|do|run|use|sell|offer|carry|ship|handle|work with)\b|"
        r"\bwe have no\b|\bwe only (?:do|sell|run|ship|carry|have|work with)\b|"
        r"\b(?:isn't|is not|not) (?:a|an|really a|really an) (?:problem|issue) for us\b|\bthat's not (?:a|an|our) (?:problem|issue)\b|"
        r"\b(?:isn't|is not|not) (?:something|a thing) we (?:do|touch|offer|run|have)\b|\b(?:doesn't|does not|don't) apply to us\b|"
        r"\bis no use to us\b"
    ),
    "only_one": r"\bonly\b|\bsingle\b|\bjust (?:the )?one\b|\bjust (?:me|us|my)\b|\bone[- ](?:shop|site|location|office|clinic|store)\b",
    "negation": r"\b(?:no|not|never|none|nobody|nothing|don't|doesn't|didn't|won't|isn't|aren't|wasn't|can't|stopped|no longer)\b|n't\b",
    "no_problem": (r"\bno (?:problem|issue|trouble)s?\b|\bnot (?:a|an) (?:problem|issue)\b|\bfine\b|\bsorted\b|\bhandled\b|"
                   r"\balready\b|\bworks (?:well|fine|great)\b|\bsolved\b|\btaken care of\b|\bdon't need\b|\bstopped\b|\bno longer\b|\bgave up\b|"
                   r"\b(?:doesn't|does not|don't) apply\b|\bno use to us\b|\bnot something we\b|\bnothing to manage\b"),
    "own_system": (r"\bintegrat\w*|\bsync\w* with\b|\bhook(?:s|ed)? into\b|\bplug(?:s|ged)? into\b|"
                   r"\bour (?:own |current |existing )?(?:app|system|site|website|portal|POS|software|platform)\b"),
    "pointer_or_amount": (r"^(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|"
                          r"forty|fifty|sixty|hundred|thousand|million|half|once|twice|first|second|third|several|"
                          r"minute|hour|day|week|fortnight|month|year|here|there|where|when)s?$"),
}

LEXICONS: dict[str, dict[str, str]] = {"zh": ZH, "en": EN}
TALK: dict[str, dict[str, str]] = {"zh": TALK_ZH, "en": TALK_EN}
NAMES: tuple[str, ...] = tuple(ZH)  # every cue of the main tables
# the cues the sentence classifier takes as features (its trained file records them; a new
# cue is added to NAMES only, so the shipped classifier stays valid until it is retrained)
CUES: tuple[str, ...] = NAMES[: NAMES.index("turn_buy")]
_FLAGS = re.IGNORECASE

if set(ZH) != set(EN) or set(TALK_ZH) != set(TALK_EN):  # pragma: no cover - a declaration error
    raise RuntimeError(f"lexicons differ: {sorted((set(ZH) ^ set(EN)) | (set(TALK_ZH) ^ set(TALK_EN)))}")


@lru_cache(maxsize=None)
def cue(name: str, language: str | None = None) -> re.Pattern[str]:
    """The compiled cue: both languages by default, one when ``language`` is given."""
    tables = LEXICONS if name in ZH else TALK
    if name not in tables["zh"]:
        raise KeyError(f"unknown cue {name!r}; known: {', '.join(NAMES + tuple(TALK_ZH))}")
    if language is not None:
        return re.compile(tables[language][name], _FLAGS)
    return re.compile(f"(?:{tables['zh'][name]})|(?:{tables['en'][name]})", _FLAGS)


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


# ---- English word classes (for the shape of a restated phrase) --------------------------------
# Closed classes are listed whole; open classes hold the words that, left at a phrase's end,
# leave it waiting for more ("your cook spends the whole", "you cannot afford").
WORD_CLASSES_EN: dict[str, frozenset[str]] = {
    "determiner": frozenset({
        "the", "a", "an", "my", "your", "their", "our", "his", "her", "its", "this", "that", "these", "those",
        "some", "any", "every", "each", "no", "another", "other", "such", "which", "what", "whose", "either",
        "neither", "both", "several", "few", "many", "much", "more", "most", "less", "least", "all", "half"}),
    "preposition": frozenset({
        "to", "of", "for", "with", "without", "on", "in", "at", "by", "from", "into", "onto", "about", "over",
        "under", "after", "before", "since", "until", "through", "across", "around", "between", "against",
        "towards", "toward", "behind", "beside", "near", "off", "per", "via", "than", "like", "as", "during",
        "within", "among", "upon", "out"}),
    "conjunction": frozenset({
        "and", "or", "but", "nor", "so", "because", "if", "when", "whenever", "while", "though", "although",
        "unless", "whether", "once", "where", "who", "whom", "that"}),
    "auxiliary": frozenset({
        "is", "are", "was", "were", "be", "been", "being", "am", "can", "could", "will", "would", "should",
        "shall", "may", "might", "must", "do", "does", "did", "has", "have", "had", "can't", "cannot", "won't",
        "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "it's", "there's", "she's", "he's", "i'm",
        "you're", "they're", "we're", "gets", "get", "got", "keeps", "keep", "not", "never", "just", "ever"}),
    # adjectives and quantity words that stand before a noun and do not end a phrase
    "adjective": frozenset({
        "whole", "entire", "same", "other", "own", "new", "old", "big", "small", "little", "good", "bad", "best",
        "better", "worse", "worst", "proper", "real", "actual", "main", "last", "first", "next", "only", "usual",
        "certain", "particular", "extra", "fair", "full", "huge", "tiny", "right", "wrong", "special", "total",
        "different", "various", "single", "double", "second", "third", "local", "whole-day", "fancy", "cheap",
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twenty", "hundred",
        "thousand", "lot", "bit", "couple", "kind", "sort", "type"}),
    # verbs that take an object: a phrase ending on one has lost what it was about
    "transitive": frozenset({
        "afford", "want", "wants", "need", "needs", "like", "likes", "would like", "get", "gets", "make", "makes",
        "take", "takes", "have", "has", "keep", "keeps", "buy", "buys", "find", "finds", "give", "gives", "use",
        "uses", "bring", "brings", "put", "puts", "hear", "see", "sees", "know", "knows", "say", "says", "tell",
        "tells", "stand", "cover", "covers", "pay", "pays", "spend", "spends", "lose", "loses", "lost", "carry", "carries",
        "replace", "fix", "handle", "manage", "reach", "hold", "holds", "offer", "send", "order", "try", "tries",
        "stop", "stops", "avoid", "mind", "hate", "hates", "love", "loves", "prefer", "prefers", "miss", "misses",
        "remind", "forget", "forgets", "track", "cut", "redo", "add", "adds", "change", "move", "show", "teach",
        "killing", "making", "taking", "having", "getting", "buying", "paying", "spending", "throwing", "using",
        "bringing", "putting", "giving", "keeping", "doing", "wanting", "needing", "losing", "costing", "finding",
        "wasting", "carrying", "handling", "hitting", "saying", "telling", "asking", "looking", "going", "trying",
        "converting", "sitting", "ended", "end", "ends", "ending", "turned", "came", "come", "comes", "coming"}),
    # a phrase does not start with these: they speak of the telling, not of the need
    "sentence_adverb": frozenset({
        "honestly", "basically", "actually", "frankly", "literally", "obviously", "apparently", "seriously",
        "clearly", "really", "just", "so", "well", "look", "anyway", "anyhow", "besides", "also", "then", "plus",
        "personally", "ideally", "hopefully", "admittedly", "luckily", "unfortunately", "sadly", "like", "right",
        "okay", "ok", "oh", "um", "yeah", "yes", "no"}),
}


def word_class(word: str) -> set[str]:
    """The English word classes (``WORD_CLASSES_EN``) a word belongs to (lower case, quotes
    and punctuation at its edges ignored)."""
    bare = word.strip(".,;:!?\"()“”‘’").lower().replace("’", "'")
    return {name for name, words in WORD_CLASSES_EN.items() if bare in words}


# ---- content words: what a sentence is about, without its particles, pronouns and function words ----
EN_STOP = {"the", "a", "an", "and", "or", "to", "of", "for", "in", "on", "at", "is", "are", "be", "it", "that",
           "this", "with", "we", "i", "our", "my", "us", "me", "you", "your", "they", "their", "needs", "need",
           "wants", "want", "must", "should", "not", "no", "do", "does", "so"}


def en_word_stems(text: str) -> list[tuple[str, str]]:
    """(stem, word) of the text's English words outside ``EN_STOP``, a possessive "'s" dropped; the
    stem is the word's first five letters, so "fractures" and "fracture" match."""
    words = (w.removesuffix("'s") for w in re.findall(r"[a-z0-9']+", text.lower().replace("’", "'")))
    return [(w[:5], w) for w in words if w and w not in EN_STOP]


def en_words(text: str) -> list[str]:
    return [stem for stem, _ in en_word_stems(text)]


ZH_STOP = set("的了是在和与也就都还又很太把被给让对跟吧啊呢吗呀么着过这那我你您他她它们个些点一")


def content_words(statement: str) -> list[str]:
    """The statement's content words: jieba words in Chinese (particles and pronouns left
    out), word stems in English."""
    if not has_chinese(statement):
        return en_words(statement)
    import jieba

    jieba.setLogLevel(logging.WARNING)
    words = []
    for w in jieba.lcut(statement):
        w = w.strip()
        if not w or not re.search(r"[\u4e00-\u9fff0-9a-zA-Z]", w):
            continue
        if len(w) == 1 and w in ZH_STOP:
            continue
        if all(ch in ZH_STOP for ch in w):
            continue
        words.append(w)
    return words
