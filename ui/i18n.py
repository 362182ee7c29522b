"""Every string the web app shows, in Chinese (default) and English.

``t("key", name=...)`` returns the text in the language chosen in the sidebar; a missing
key fails loudly (KeyError) so a typo cannot ship as an empty label. Labels of need
fields and discovery slots come from the core (``*_LABELS``, ``SLOT_LABELS``) through
``label()``.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import streamlit as st

LANGUAGES = {"zh": "中文", "en": "English"}

TEXTS: dict[str, tuple[str, str]] = {
    # ---- app frame, sign-in --------------------------------------------------------
    "app.name": ("需求洞察助手", "Needs-Discovery Assistant"),
    "app.tagline": ("先问再推荐：找到请求背后的需求。", "Ask before you recommend: find the need behind the request."),
    "app.language": ("界面语言", "Language"),
    "auth.title": ("登录", "Sign in"),
    "auth.username": ("用户名", "User name"),
    "auth.password": ("密码", "Password"),
    "auth.submit": ("登录", "Sign in"),
    "auth.wrong": ("用户名或密码不正确。", "Wrong user name or password."),
    "auth.wait": ("登录失败次数过多，请 {seconds} 秒后再试。", "Too many failed sign-ins: try again in {seconds} s."),
    "auth.locked": ("用户名 {name} 因多次登录失败已被锁定，{minutes} 分钟后自动解锁；也可以请主管在“设置”页解锁。",
                    "The user name {name} is locked after repeated failed sign-ins, for {minutes} more "
                    "minute(s); a manager can unlock it on the Settings page."),
    "auth.signed_in_as": ("已登录：**{name}**（{role}）", "Signed in: **{name}** ({role})"),
    "auth.sign_out": ("退出登录", "Sign out"),
    "auth.no_users": (
        "还没有任何用户，暂时无法登录。请先在终端创建第一位管理员，然后刷新本页：",
        "There are no users yet, so nobody can sign in. Create the first manager in a terminal, then reload this page:",
    ),
    "auth.ask_manager": ("忘记密码或需要账号？请联系主管（`needs user …`）。",
                         "Forgot your password or need an account? Ask a manager (`needs user …`)."),
    "role.sales": ("销售", "salesperson"),
    "role.trainee": ("学员", "trainee"),
    "role.manager": ("主管", "manager"),
    # ---- navigation ----------------------------------------------------------------
    "nav.coach": ("教练", "Coach"),
    "nav.roleplay": ("陪练", "Role-play"),
    "nav.needs": ("需求看板", "Need log"),
    "nav.knowledge": ("知识库", "Knowledge"),
    "nav.settings": ("设置", "Settings"),
    # ---- errors --------------------------------------------------------------------
    "error.unexpected": ("出现了意外错误：{detail}。请重试；如果反复出现，请把这段话发给管理员。",
                         "Something unexpected went wrong: {detail}. Try again; if it keeps happening, send this to your admin."),
    "error.invalid": ("输入的内容无效：{detail}", "Invalid input: {detail}"),
    "error.forbidden": ("你没有权限查看这段对话。", "You may not view this conversation."),
    # ---- coach ---------------------------------------------------------------------
    "coach.title": ("教练", "Coach"),
    "coach.caption": (
        "把客户说的话告诉教练：它会建议你下一句该问什么（并说明原因和出处），同时记录发现的需求。",
        "Tell the coach what the customer said: it suggests your next question (with why and sources) and logs the needs it finds.",
    ),
    "coach.new": ("➕ 新对话", "➕ New conversation"),
    "coach.history": ("我的对话", "My conversations"),
    "coach.history_none": ("（新对话）", "(new conversation)"),
    "coach.setup": ("对话设置", "Conversation setup"),
    "coach.mode": ("模式", "Mode"),
    "coach.mode.live": ("现场（会中转述客户的话）", "Live (relay the customer's words)"),
    "coach.mode.prep": ("准备（会前梳理）", "Prep (before the meeting)"),
    "coach.mode_short.live": ("现场", "Live"),
    "coach.mode_short.prep": ("准备", "Prep"),
    "coach.account": ("客户 / 账户", "Customer / account"),
    "coach.account_ph": ("例如：王阿姨、华东机械", "e.g. Mrs Wang, East China Machinery"),
    "coach.account_pick": ("已有客户", "Existing customers"),
    "coach.segment": ("客户类型", "Segment"),
    "coach.segment.auto": ("自动判断", "Auto"),
    "coach.segment.B2B": ("企业客户 B2B", "Business B2B"),
    "coach.segment.B2C": ("个人客户 B2C", "Consumer B2C"),
    "coach.active": ("对话 #{cid} · {account} · {mode} · {segment}", "Conversation #{cid} · {account} · {mode} · {segment}"),
    "coach.no_account": ("未填客户", "no account"),
    "coach.i_said": ("我说的话", "I said"),
    "coach.i_said_help": ("打开后，输入的是你自己（销售）说的话，而不是客户的话。",
                          "When on, what you type is your own (the salesperson's) words, not the customer's."),
    "coach.input.live": ("客户说了什么？", "What did the customer say?"),
    "coach.input.sales": ("你（销售）说了什么？", "What did you (the salesperson) say?"),
    "coach.input.prep": ("说说这位客户和他要的东西……", "Describe the customer and what they asked for…"),
    "coach.empty": (
        "从客户的第一句话开始，例如：“我想买点枣子”。",
        "Start with the customer's first words, e.g. “I'd like some jujubes”.",
    ),
    "coach.empty.prep": (
        "说说明天要见的客户，例如：“明天见一位老太太，她说想买点枣子。”教练会先问你几个问题。",
        "Describe tomorrow's customer, e.g. “Tomorrow I meet an old lady who wants jujubes.” The coach will ask you first.",
    ),
    "coach.thinking": ("正在分析这句话、记录需求……", "Reading the words and logging needs…"),
    "coach.refining": ("模型正在再读一遍这句话，补充规则没找到的需求……",
                       "The model is reading the words again for needs the rules missed…"),
    "coach.refined": ("需求已更新（本轮新记录 {n} 条）", "Needs updated ({n} new this turn)"),
    "coach.new_need": ("新记录的需求：{s}", "New need logged: {s}"),
    "coach.citations": ("依据（{n}）", "Sources ({n})"),
    "coach.plan": ("📝 生成提问清单", "📝 Question plan"),
    "coach.plan_hide": ("收起提问清单", "Hide question plan"),
    "coach.plan_title": ("提问清单", "Question plan"),
    "coach.plan_purpose": ("目的", "Purpose"),
    "coach.plan_why": ("为什么", "Why"),
    "coach.plan_source": ("依据", "Source"),
    "coach.plan_hypotheses": ("待验证的隐性需求假设", "Implicit-need hypotheses to verify"),
    "coach.speaker.customer": ("客户", "Customer"),
    "coach.speaker.sales": ("我（销售）", "Me (sales)"),
    "coach.speaker.coach": ("教练", "Coach"),
    "coach.not_found": ("找不到这段对话，已开始新对话。", "That conversation was not found; starting a new one."),
    # ---- discovery panel & need cards ---------------------------------------------------
    "panel.slots": ("发现进度", "Discovery board"),
    "panel.legend": ("🟢 已确认　🟡 部分了解　⚪ 未知", "🟢 confirmed　🟡 partial　⚪ unknown"),
    "panel.needs": ("已记录的需求（{n}）", "Needs logged ({n})"),
    "panel.no_needs": ("还没有记录到需求。", "No needs logged yet."),
    "panel.start_first": ("开始对话后，这里会显示已知和未知的信息。", "Once you start, this shows what is known and unknown."),
    "card.confirm": ("✓ 确认", "✓ Confirm"),
    "card.reject": ("✕ 驳回", "✕ Reject"),
    "card.edit": ("✎ 修改", "✎ Edit"),
    "card.save": ("保存修改", "Save changes"),
    "card.statement": ("需求", "Need"),
    "card.dimension": ("维度", "Dimension"),
    "card.owner": ("归属（谁的需求）", "Owner (whose need)"),
    "card.kind": ("类型", "Kind"),
    "card.turn": ("第{n}条发言", "turn {n}"),
    "card.confirmed": ("已确认：{s}", "Confirmed: {s}"),
    "card.rejected": ("已驳回：{s}", "Rejected: {s}"),
    "card.saved": ("已保存：{s}", "Saved: {s}"),
    "review.ai_suggested": ("AI 建议", "AI suggested"),
    "review.edited": ("已修改", "edited"),
    "review.validated": ("已核实", "validated"),
    "stage.lead": ("线索", "lead"),
    "stage.opportunity": ("商机", "opportunity"),
    "stage.contract": ("合同", "contract"),
    "source.prep": ("会前准备", "prep"),
    "source.live": ("现场", "live"),
    "source.roleplay": ("陪练", "role-play"),
    "source.import": ("导入", "import"),
    # ---- need log --------------------------------------------------------------------
    "needs.title": ("需求看板", "Need log"),
    "needs.caption.manager": ("团队所有销售记录的需求。修改会写入审计记录。",
                              "Every need the team logged. Corrections are written to the audit trail."),
    "needs.caption.own": ("你自己记录的需求。修改会写入审计记录。",
                          "The needs you logged. Corrections are written to the audit trail."),
    "needs.filters": ("筛选", "Filters"),
    "needs.all": ("全部", "All"),
    "needs.author": ("销售", "Salesperson"),
    "needs.account": ("客户", "Account"),
    "needs.dimension": ("维度", "Dimension"),
    "needs.kind": ("类型", "Kind"),
    "needs.status": ("状态", "Status"),
    "needs.source": ("来源", "Source"),
    "needs.dates": ("日期范围", "Date range"),
    "needs.text": ("包含文字", "Contains text"),
    "needs.metric.total": ("需求数", "Needs"),
    "needs.metric.implicit": ("隐性需求占比", "Implicit share"),
    "needs.metric.confirmed": ("已确认占比", "Confirmed share"),
    "needs.metric.accounts": ("客户数", "Accounts"),
    "needs.tab.table": ("表格", "Table"),
    "needs.tab.charts": ("图表", "Charts"),
    "needs.tab.drill": ("对话详情", "Conversation"),
    "needs.tab.export": ("导出", "Export"),
    "needs.none": ("没有符合条件的需求。", "No needs match these filters."),
    "needs.edit_hint": ("直接在表格里修改需求、维度、类型、归属、状态、阶段或核实状态，然后点“保存修改”。",
                        "Edit need, dimension, kind, owner, status, stage or review state in the table, then press “Save changes”."),
    "needs.save": ("💾 保存修改", "💾 Save changes"),
    "needs.saved": ("已保存 {n} 条需求的修改（已写入审计记录）。", "Saved changes to {n} need(s) (audit trail written)."),
    "needs.nothing": ("没有修改。", "Nothing changed."),
    "col.created": ("日期", "Date"),
    "col.author": ("销售", "Salesperson"),
    "col.account": ("客户", "Account"),
    "col.statement": ("需求", "Need"),
    "col.dimension": ("维度", "Dimension"),
    "col.kind": ("类型", "Kind"),
    "col.owner": ("归属", "Owner"),
    "col.status": ("状态", "Status"),
    "col.ltc_stage": ("阶段", "Stage"),
    "col.review_state": ("核实", "Review"),
    "col.source": ("来源", "Source"),
    "col.evidence": ("证据", "Evidence"),
    "col.count": ("数量", "Count"),
    "chart.by_dimension": ("按维度（显性 / 隐性）", "By dimension (explicit / implicit)"),
    "chart.by_kind": ("显性与隐性", "Explicit vs implicit"),
    "chart.by_status": ("按状态", "By status"),
    "chart.scores": ("学员陪练成绩", "Trainee role-play scores"),
    "chart.scores_none": ("还没有完成的陪练成绩。", "No finished role-plays yet."),
    "chart.scores_pending": ("陪练评分图表：等陪练功能上线后显示在这里。",
                             "Trainee scores chart: shown here once role-play is available."),
    "chart.score": ("得分", "Score"),
    "chart.date": ("日期", "Date"),
    "chart.trainee": ("学员", "Trainee"),
    "drill.by": ("查看方式", "Show"),
    "drill.by_need": ("按需求", "By need"),
    "drill.by_conversation": ("按对话", "By conversation"),
    "drill.need": ("选择需求", "Choose a need"),
    "drill.conversation": ("选择对话", "Choose a conversation"),
    "drill.turns": ("对话记录（标黄的是需求的证据）", "Transcript (highlighted: evidence of the need)"),
    "drill.no_conversation": ("这条需求没有关联的对话。", "This need has no conversation."),
    "drill.audit": ("修改记录", "Audit trail"),
    "drill.no_audit": ("还没有人修改过这条需求。", "Nobody has changed this need yet."),
    "drill.reject": ("✕ 驳回这条需求", "✕ Reject this need"),
    "drill.field": ("字段", "Field"),
    "drill.old": ("原值", "Old"),
    "drill.new": ("新值", "New"),
    "drill.editor": ("修改人", "Editor"),
    "drill.at": ("时间", "When"),
    "export.caption": ("导出当前筛选出的 {n} 条需求。以 = + - @ 开头的单元格会加上 ' 防止被当作公式。",
                       "Export the {n} needs currently filtered. Cells starting with = + - @ get a leading ' so they are not run as formulas."),
    "export.csv": ("⬇ CSV", "⬇ CSV"),
    "export.xlsx": ("⬇ Excel (XLSX)", "⬇ Excel (XLSX)"),
    "export.json": ("⬇ JSON", "⬇ JSON"),
    # ---- knowledge -----------------------------------------------------------------------
    "kb.title": ("知识库", "Knowledge"),
    "kb.caption": ("教练引用的方法卡和知识条目。", "The method cards and knowledge entries the coach cites."),
    "kb.tab.browse": ("浏览", "Browse"),
    "kb.tab.search": ("搜索", "Search"),
    "kb.tab.upload": ("上传资料", "Upload"),
    "kb.kind": ("类别", "Kind"),
    "kb.tags": ("标签", "Tags"),
    "kb.source": ("来源", "Source"),
    "kb.query": ("搜索知识库", "Search the knowledge base"),
    "kb.query_ph": ("例如：购买者和使用者不同", "e.g. buyer is not the user"),
    "kb.results": ("找到 {n} 条", "{n} found"),
    "kb.no_results": ("没有找到相关内容。", "Nothing found."),
    "kb.searching": ("正在检索……", "Searching…"),
    "kb.substring_note": ("（按文字匹配；向量检索模块尚未安装）", "(text match; the vector search module is not installed yet)"),
    "kb.score": ("相关度 {s:.2f}", "relevance {s:.2f}"),
    "kb.upload": ("选择文件（.md .txt .html .pdf .docx）", "Choose files (.md .txt .html .pdf .docx)"),
    "kb.ingest": ("📥 导入知识库", "📥 Add to the knowledge base"),
    "kb.ingesting": ("正在导入……", "Adding…"),
    "kb.ingest_step": ("正在导入：{what}", "Adding: {what}"),
    "kb.indexing": ("首次使用，正在为知识库建立索引（只需一次）：{what}", "First use: indexing the knowledge base (once): {what}"),
    "kb.ingested": ("导入完成。", "Done."),
    "kb.report": ("导入报告", "Ingest report"),
    "kb.file": ("文件", "File"),
    "kb.status": ("结果", "Result"),
    "kb.chunks": ("片段数", "Chunks"),
    "kb.reason": ("说明", "Note"),
    "kb.upload_unavailable": ("上传需要知识库索引模块（assistant.knowledge），当前版本还没有安装。",
                              "Uploading needs the knowledge index module (assistant.knowledge), which is not installed yet."),
    "kb.upload_managers": ("只有主管可以向共享知识库添加资料。", "Only managers can add documents to the shared knowledge base."),
    "kind.concept": ("概念", "Concepts"),
    "kind.method": ("方法卡", "Method cards"),
    "kind.pitfall": ("常见误区", "Pitfalls"),
    "kind.process": ("流程", "Processes"),
    "kind.case": ("案例", "Cases"),
    "kind.story": ("故事", "Stories"),
    # ---- settings -------------------------------------------------------------------------
    "set.title": ("设置", "Settings"),
    "set.provider": ("模型来源", "Provider"),
    "set.endpoint": ("接口地址", "Endpoint"),
    "set.model": ("模型", "Model"),
    "set.embedded": ("内置离线模型", "embedded offline model"),
    "set.fake": ("测试用脚本模型（不连接任何模型）", "scripted test model (no real model)"),
    "set.test": ("🔌 测试连接", "🔌 Test connection"),
    "set.test_prompt": ("用一句话说明：为什么销售在推荐产品之前要先问客户买来做什么？",
                        "用一句话说明：为什么销售在推荐产品之前要先问客户买来做什么？"),
    "set.testing": ("正在请求模型（本地模型首次加载需要几秒）……", "Asking the model (the local model takes a few seconds to load the first time)…"),
    "set.test_ok": ("连接正常，用时 {s:.1f} 秒。模型回答：", "Connected in {s:.1f} s. The model answered:"),
    "set.offline": ("离线模型", "Offline models"),
    "set.installed": ("已安装", "installed"),
    "set.missing": ("未安装", "not installed"),
    "set.in_use": ("（当前使用）", "(in use)"),
    "set.pull_hint": ("安装或修复：`.venv/bin/needs model pull`", "Install or repair: `.venv/bin/needs model pull`"),
    "set.all": ("全部设置（密钥已隐藏）", "All settings (secrets masked)"),
    "set.name": ("设置（环境变量）", "Setting (env var)"),
    "set.value": ("当前值", "Value"),
    "set.meaning": ("说明", "Meaning"),
    "set.how": ("如何修改设置", "How to change settings"),
    "set.how_body": (
        "设置的优先级（高→低）：环境变量 `NEEDS_…`、TOML 文件、默认值。TOML 文件是 `$NEEDS_CONFIG`，否则是当前目录的 "
        "`needs.toml`，否则是 `~/.config/needs-assistant/config.toml`；键名就是上表设置名的小写形式。"
        "修改后重新启动 `needs ui`。当前读取的配置文件：{path}",
        "Settings come from (highest first): environment variables `NEEDS_…`, a TOML file, the defaults. The TOML file is "
        "`$NEEDS_CONFIG`, else `./needs.toml`, else `~/.config/needs-assistant/config.toml`; its keys are the setting names "
        "above in lower case. Restart `needs ui` after a change. Config file in use: {path}",
    ),
    "set.no_file": ("（无）", "(none)"),
    "set.locks": ("被锁定的用户名", "Locked user names"),
    "set.locks_none": ("没有被锁定的用户名。", "No user name is locked."),
    "set.lock_row": ("连续失败 {n} 次，{until} 自动解锁", "{n} failures in a row, unlocks at {until}"),
    "set.unlock": ("解锁", "Unlock"),
    "set.unlocked": ("已解锁 {name}。", "Unlocked {name}."),
    # ---- accounts, need lifecycle ------------------------------------------------------
    "nav.accounts": ("客户档案", "Accounts"),
    "acc.title": ("客户档案", "Accounts"),
    "acc.caption.manager": ("团队对每个客户的了解：需求的来龙去脉、待验证的猜测、拜访简报。",
                            "What the team knows about each account: its needs over time, hypotheses "
                            "to verify, a pre-meeting brief."),
    "acc.caption.own": ("你跟进的客户：你记录的需求、待验证的猜测、拜访简报。",
                        "Your accounts: the needs you logged, hypotheses to verify, a pre-meeting brief."),
    "acc.none": ("还没有客户。在教练或需求看板里记录需求时填上客户名称即可。",
                 "No accounts yet. Name the account when you log needs in the coach."),
    "acc.account": ("客户", "Account"),
    "acc.trade": ("行业", "Trade"),
    "acc.trade_saved": ("已保存行业。", "Trade saved."),
    "acc.save": ("保存", "Save"),
    "acc.last_contact": ("上次联系", "Last contact"),
    "acc.needs_count": ("需求", "Needs"),
    "acc.open_count": ("待验证", "To verify"),
    "acc.needs": ("需求（换个说法的已合并）", "Needs (restatements merged)"),
    "acc.restated": ("另有 {n} 次换个说法提到", "restated {n} more time(s)"),
    "acc.open": ("待验证的猜测", "Hypotheses to verify"),
    "acc.no_open": ("没有待验证的猜测。", "No open hypotheses."),
    "acc.timeline": ("时间线", "Timeline"),
    "acc.col.when": ("时间", "When"), "acc.col.what": ("事件", "What"), "acc.col.text": ("内容", "Details"),
    "acc.col.who": ("谁", "Who"), "acc.col.state": ("阶段", "Stage"), "acc.col.need": ("需求", "Need"),
    "acc.col.said": ("客户原话", "Customer's words"),
    "acc.event.conversation": ("对话", "conversation"), "acc.event.need": ("记录需求", "need logged"),
    "acc.event.move": ("推进", "moved"),
    "acc.suggest": ("对话里的信号", "Signals from conversations"),
    "acc.suggest_item": ("客户说“{because}”：建议把“{need}”推进到「{state}」", "The customer said “{because}”: "
                         "move “{need}” to “{state}”?"),
    "acc.apply": ("采纳", "Apply"),
    "acc.brief": ("拜访简报", "Pre-meeting brief"),
    "acc.brief_make": ("生成拜访简报", "Make the brief"),
    "acc.known": ("已知（已确认，有证据）", "Known (confirmed, with evidence)"),
    "acc.left_open": ("上次留下的问题", "Left open last time"),
    "acc.questions": ("这次要问", "Questions to ask"),
    "acc.similar": ("同类客户还提到过…", "Similar accounts also mentioned…"),
    "acc.from_kb": ("知识库提示", "From the knowledge base"),
    "acc.card_fallback": ("方法卡示例", "card example"),
    "acc.watch": ("主管关注", "For managers"),
    "acc.days": ("天数 N", "Days N"),
    "acc.unverified": ("有未验证隐性需求的客户", "Accounts with unverified implicit needs"),
    "acc.stuck": ("在同一阶段停留 ≥ N 天的需求", "Needs stuck in a stage for ≥ N days"),
    "acc.not_contacted": ("≥ N 天未联系的客户", "Accounts not contacted for ≥ N days"),
    "acc.nothing": ("没有。", "None."),
    "life.move": ("推进需求阶段", "Move a need"),
    "life.need": ("需求", "Need"),
    "life.to": ("推进到", "Move to"),
    "life.reason": ("原因（放弃或未成交时必填）", "Reason (required for dropped and lost)"),
    "life.submit": ("推进", "Move"),
    "life.moved": ("已推进到「{state}」，已写入审计记录。", "Moved to “{state}”; written to the audit trail."),
    "life.final": ("这条需求已到终点，不能再推进。", "This need is in a final state."),
    "life.trail": ("阶段记录", "Stage history"),
}


def lang() -> str:
    """The interface language of this browser session: 'zh' or 'en'."""
    value = st.session_state.get("lang", "zh")
    return value if value in LANGUAGES else "zh"


def t(key: str, **values: object) -> str:
    zh, en = TEXTS[key]
    text = zh if lang() == "zh" else en
    return text.format(**values) if values else text


def label(table: Mapping[str, tuple[str, str]], code: str | None) -> str:
    """A code from one of the core's (zh, en) label tables, in the current language."""
    if not code:
        return ""
    pair = table.get(code)
    if pair is None:
        return code
    return pair[0] if lang() == "zh" else pair[1]


def labels(options: Iterable[Any], name: Callable[[Any], str]) -> Callable[[Any], str]:
    """A format_func whose labels are fixed now, in this run's language (widgets may call a
    format_func later, outside the script run, where the session's language is unknown)."""
    fixed = {option: name(option) for option in options}
    return lambda option: fixed.get(option, str(option))


def role_label(role: str) -> str:
    return t(f"role.{role}") if f"role.{role}" in TEXTS else role


def maybe(key: str, code: str) -> str:
    """``t(key + '.' + code)`` when that text exists, else the code itself."""
    full = f"{key}.{code}"
    return t(full) if full in TEXTS else code
