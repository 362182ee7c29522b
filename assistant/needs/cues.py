"""Word cues for needs and discovery slots, compiled from the shared lexicon.

The words themselves are declared once per language in ``assistant.understanding.lexicon``;
these names are the compiled both-language patterns the rules and the state use.
"""

from __future__ import annotations

from assistant.understanding.lexicon import cue, has_chinese, sentences

PEOPLE = cue("people")
CUSTOMERS_OF_CUSTOMER = cue("customers_of_customer")
DECISION = cue("decision")
DECISION_PROCESS = cue("decision_process")
TIMING = cue("timing")
BUDGET = cue("budget")
PRICE = cue("price")
FORM = cue("form")
EMOTION = cue("emotion")
BUSINESS = cue("business")
GOAL = cue("goal")
PURPOSE = cue("purpose")
PURPOSE_STRONG = cue("purpose_strong")
FUNCTION = cue("function")
NEED_VERBS = cue("need_verbs")
REQUEST = cue("request")
QUESTION_REQUEST = cue("question_request")
PAIN = cue("pain")
GREETING = cue("greeting")
AFFIRM = cue("agree")
DENY = cue("deny")
B2B_HINTS = cue("b2b")

__all__ = [
    "PEOPLE", "CUSTOMERS_OF_CUSTOMER", "DECISION", "DECISION_PROCESS", "TIMING", "BUDGET", "PRICE",
    "FORM", "EMOTION", "BUSINESS", "GOAL", "PURPOSE", "PURPOSE_STRONG", "FUNCTION", "NEED_VERBS",
    "REQUEST", "QUESTION_REQUEST", "PAIN", "GREETING", "AFFIRM", "DENY", "B2B_HINTS", "sentences",
    "has_chinese",
]
