"""The wording of the articles of 《中华人民共和国政府信息公开条例》 (2019) that letters quote.

One place for the Regulation's text: a refusal quotes the article it relies on, as the better
agency letters do, rather than giving only its number. The text is the Regulation as revised by
State Council Decree No. 711 (in force 15 May 2019), written out exactly; an item of Art. 36 is
quoted without the semicolon that ends it in the list. Pure data, no Django import.
"""

from dataclasses import dataclass

REGULATION = "《中华人民共和国政府信息公开条例》"

#: article (as cited after the Regulation's name) -> its wording
ARTICLE_TEXT: dict[str, str] = {
    "第二条": (
        "本条例所称政府信息，是指行政机关在履行行政管理职能过程中制作或者获取的，"
        "以一定形式记录、保存的信息。"
    ),
    "第十四条": (
        "依法确定为国家秘密的政府信息，法律、行政法规禁止公开的政府信息，以及公开后可能危及"
        "国家安全、公共安全、经济安全、社会稳定的政府信息，不予公开。"
    ),
    "第十五条": (
        "涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害的政府信息，行政机关不得公开。"
        "但是，第三方同意公开或者行政机关认为不公开会对公共利益造成重大影响的，予以公开。"
    ),
    "第十六条第一款": (
        "行政机关的内部事务信息，包括人事管理、后勤管理、内部工作流程等方面的信息，可以不予公开。"
    ),
    "第十六条第二款": (
        "行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性"
        "信息以及行政执法案卷信息，可以不予公开。法律、法规、规章规定上述信息应当公开的，"
        "从其规定。"
    ),
    "第三十六条第（三）项": (
        "行政机关依据本条例的规定决定不予公开的，告知申请人不予公开并说明理由"
    ),
    "第三十六条第（七）项": (
        "所申请公开信息属于工商、不动产登记资料等信息，有关法律、行政法规对信息的获取有特别"
        "规定的，告知申请人依照有关法律、行政法规的规定办理"
    ),
    "第三十八条": (
        "行政机关向申请人提供的信息，应当是已制作或者获取的政府信息。除依照本条例第三十七条"
        "的规定能够作区分处理的外，需要行政机关对现有政府信息进行加工、分析的，"
        "行政机关可以不予提供。"
    ),
}


@dataclass(frozen=True)
class Quote:
    """An article as a letter quotes it: 《条例》第十四条规定：“……。”"""

    article: str
    text: str
    law: str = REGULATION

    @property
    def citation(self) -> str:
        return f"{self.law}{self.article}"

    @property
    def sentence(self) -> str:
        """The quoted words, ending with a full stop inside the quotation marks."""
        return self.text if self.text.endswith("。") else f"{self.text}。"


def quote(article: str) -> Quote:
    """The Regulation's ``article`` with its wording; ``KeyError`` for one not recorded here."""
    try:
        return Quote(article, ARTICLE_TEXT[article])
    except KeyError:
        raise KeyError(f"没有收录{REGULATION}{article}的条文。") from None
