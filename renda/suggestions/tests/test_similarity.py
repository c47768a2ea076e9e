"""Character bigrams for duplicate detection (no segmenter installed)."""

from __future__ import annotations

from types import SimpleNamespace

from renda.suggestions import similarity


def test_it_finds_the_same_matter_in_other_words() -> None:
    a = similarity.shingles_for(
        "关于改造老旧小区排水管网的建议", "冷水江街道老旧小区排水管网老化，雨季积水。"
    )
    b = similarity.shingles_for(
        "关于尽快改造老旧小区雨污管网的建议", "老旧小区排水管网破损，一下雨就积水。"
    )
    c = similarity.shingles_for("关于提高农村医保报销比例的建议", "农村群众看病负担重。")
    score_ab = similarity.dice(set(a.split()), set(b.split()))
    score_ac = similarity.dice(set(a.split()), set(c.split()))
    assert score_ab > 0.3 > score_ac


def test_it_ignores_words_every_suggestion_has() -> None:
    grams = similarity.shingle_set("关于加强的建议")
    assert not grams & {"关于", "加强", "建议"} and "强的" in grams


def test_it_ranks_best_first_and_keeps_the_limit() -> None:
    target = similarity.shingles_for("排水管网改造", "老旧小区排水管网改造")
    items = [
        SimpleNamespace(pk=i, shingles=similarity.shingles_for(t, t))
        for i, t in enumerate(["排水管网改造", "小区排水", "医保报销", "排水管网"])
    ]
    ranked = similarity.rank(target, items, limit=2)
    assert [m.item.pk for m in ranked] == [0, 3] and ranked[0].percent >= ranked[1].percent
