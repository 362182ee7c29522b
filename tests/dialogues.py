"""Dialogues used by several tests (written for the tests, not copied from anywhere)."""

from assistant.needs.transcript import Transcript

JUJUBE = Transcript.from_pairs([
    ("customer", "我想买点枣子。"),
    ("sales", "阿姨，您买枣子是给谁吃的？做什么用呢？"),
    ("customer", "其实是给我儿媳妇买的，她怀孕了，这阵子老想吃酸的。"),
    ("sales", "那我们有酸枣，还有猕猴桃，也是酸酸的，营养也好。"),
    ("customer", "那行，别太贵就行。"),
])

PITCH_ONLY = Transcript.from_pairs([
    ("customer", "随便看看。"),
    ("sales", "我们的枣又脆又甜，山东的，个大核小，现在买两斤送半斤，特别划算！"),
    ("customer", "嗯。"),
    ("sales", "这款枣子营养丰富，补血养颜，老少皆宜，来两斤？"),
    ("customer", "哦，这样啊。"),
])

FACTORY = Transcript.from_pairs([
    ("customer", "你们的轴承报个最低价，我们只看价格。"),
    ("sales", "明白。方便问一下，现在这批轴承主要用在哪条线上？"),
    ("customer", "冲压线。上个月停机了三次，给主机厂的交货都晚了，人家要按合同罚款。"),
    ("sales", "停机一次大概损失多少？"),
    ("customer", "一次就是好几万，老板很着急，下个月审计前必须解决。"),
])
