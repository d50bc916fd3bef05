"""Citations in letters name each law once per run, as legal texts do."""

from workflow.letters.filters import cite_articles

REG = "《中华人民共和国政府信息公开条例》"


def test_consecutive_articles_of_one_law_share_its_name():
    assert cite_articles([f"{REG}第三十七条", f"{REG}第十五条"]) == f"{REG}第三十七条、第十五条"


def test_another_law_starts_a_new_run():
    assert (
        cite_articles([f"{REG}第三十六条第（二）项", "《中华人民共和国档案法》第二十八条"])
        == f"{REG}第三十六条第（二）项，《中华人民共和国档案法》第二十八条"
    )


def test_text_without_a_law_name_is_kept_as_it_is():
    assert cite_articles(["国办函〔2020〕109号", f"{REG}第四十二条"]) == (
        f"国办函〔2020〕109号，{REG}第四十二条"
    )
    assert cite_articles([]) == ""
