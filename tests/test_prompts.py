import pytest

from assistant.errors import PromptError
from assistant.prompts import PROMPTS_DIR, PromptTemplate, load_prompt


def test_prompt_files_load_and_fill():
    msgs = load_prompt("model_check").messages(question="客户想买枣子")
    assert msgs[0].type == "system" and "销售教练" in msgs[0].content
    assert msgs[1].content == "客户想买枣子"


def test_missing_and_unknown_variables_fail_loudly():
    prompt = load_prompt("coach_move")
    with pytest.raises(PromptError, match="missing"):
        prompt.messages(summary="x")
    values = {name: "x" for name in prompt.variables}
    with pytest.raises(PromptError, match="unknown"):
        prompt.messages(**values, extra=1)


def test_missing_file_and_missing_sections():
    with pytest.raises(PromptError, match="missing"):
        load_prompt("no_such_prompt")
    with pytest.raises(PromptError, match="section"):
        PromptTemplate("bad", "just text $x")


def test_every_shipped_prompt_parses():
    files = sorted(PROMPTS_DIR.glob("*.md"))
    assert files
    for path in files:
        assert load_prompt(path.stem).variables is not None
