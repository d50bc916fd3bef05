"""Letters read naturally whatever the channel and however the applicant ended the request
(issue #10, point 13): no "通过当面提交提交", no "。”。"."""

import re

import pytest

from requests_app.letter_contexts import (
    NOTICE_OUTCOMES,
    SUBMISSION_PHRASES,
    RequestLetter,
    reply_sample,
)
from requests_app.models import InformationRequest
from requests_app.rules.outcomes import OUTCOMES
from workflow.letters.filters import clause_text, quoted_text
from workflow.letters.kinds import KINDS
from workflow.letters.render import build_letter, sample_context

CHANNELS = [label for _, label in InformationRequest.Channel.choices]
# A request as applicants type it: a full stop at the end and quotation marks inside.
REQUEST = "关于“老旧小区改造”项目资金拨付的文件。"

DOUBLED_PUNCTUATION = re.compile(r"[。，；：、！？]{2}|[。，；！？][”’][。，；]|[”’]”")
DOUBLED_WORD = re.compile(r"([\u4e00-\u9fff]{2,})\1")


def _contexts():
    for kind in KINDS:
        yield kind, sample_context(kind)
    for outcome in OUTCOMES:
        yield "reply", reply_sample(outcome)
    for kind, outcomes in NOTICE_OUTCOMES.items():
        for outcome in sorted(outcomes):
            yield kind, reply_sample(outcome, kind)


def _paragraphs(letter) -> list[str]:
    return [line for line in letter.plain_text().splitlines() if line]


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_letter_reads_naturally_for_every_channel(channel):
    problems = []
    for kind, context in _contexts():
        if isinstance(context, RequestLetter):
            context.case.channel = channel
            context.case.request = REQUEST
        for line in _paragraphs(build_letter(kind, context)):
            for pattern in (DOUBLED_PUNCTUATION, DOUBLED_WORD):
                found = pattern.search(line)
                if found:
                    problems.append(f"{kind}: {found.group()} in {line}")
    assert problems == []


@pytest.mark.parametrize(
    ("channel", "opening"),
    [
        ("当面提交", "收到您当面提交的政府信息公开申请"),
        ("邮寄（需签收）", "收到您以邮寄方式提交的政府信息公开申请"),
        ("平常信函", "收到您以平常信函方式提交的政府信息公开申请"),
        ("互联网", "收到您通过互联网提交的政府信息公开申请"),
        ("传真", "收到您以传真方式提交的政府信息公开申请"),
        (
            "孝义市政府信息公开申请平台",
            "收到您通过孝义市政府信息公开申请平台提交的政府信息公开申请",
        ),
        ("", "收到您提交的政府信息公开申请"),
    ],
)
def test_the_opening_names_each_channel_in_natural_chinese(channel, opening):
    context = sample_context("extension_notice")
    context.case.channel = channel
    context.case.request = REQUEST
    first = build_letter("extension_notice", context).blocks[0].text
    assert opening in first
    assert "申请获取“关于‘老旧小区改造’项目资金拨付的文件”。" in first


def test_every_channel_of_a_request_has_its_own_phrase():
    assert set(CHANNELS) <= set(SUBMISSION_PHRASES)


def test_quoted_and_clause_text_drop_the_closing_punctuation():
    assert quoted_text(" 《规划》的“附件二”。 ") == "“《规划》的‘附件二’”"
    assert quoted_text('关于"老旧小区"的文件；') == "“关于‘老旧小区’的文件”"
    assert clause_text("供热管网改造工程尚未验收。\n") == "供热管网改造工程尚未验收"
    assert clause_text(None) == ""
