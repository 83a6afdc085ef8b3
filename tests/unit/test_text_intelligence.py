"""The pure text parts: normalising, the classifier and its stored form, evaluation, similarity, areas, history files."""

from __future__ import annotations

import io

import pytest

from app.domain.text_intelligence import areas, evaluation, history_file, synthetic
from app.domain.text_intelligence.classifier import TextModel, train
from app.domain.text_intelligence.normalize import normalize
from app.domain.text_intelligence.similarity import MERGE_AT, SimilarityIndex, similarities, similarity
from app.domain.text_intelligence.topics import topics


def test_normalize_folds_width_case_and_numbers():
    assert normalize("ＡＰＰ扣费５０元，电话13812345678") == "app扣费00元,电话＃"
    assert normalize("  宽带\n\n断了 ") == "宽带 断了"


@pytest.fixture(scope="module")
def corpus():
    pairs = list(synthetic.corpus(55, seed=3))  # 440 texts: 40 per label to learn, 15 held out
    learn = [p for i, p in enumerate(pairs) if i < 320]
    held_out = [p for i, p in enumerate(pairs) if i >= 320]
    return learn, held_out


def test_a_model_trained_on_the_synthetic_corpus_suggests_held_out_categories_at_90_percent(corpus):
    learn, held_out = corpus
    model = train([t for t, _ in learn], {"category": [lab for _, lab in learn]})
    right = sum(model.predict(t)["category"][0][0] == lab for t, lab in held_out)
    assert right / len(held_out) >= 0.90, f"{right}/{len(held_out)}"  # 120 unseen texts, 8 labels


def test_a_stored_model_scores_exactly_as_the_fitted_one_and_carries_no_pickle(corpus):
    learn, held_out = corpus
    model = train(
        [t for t, _ in learn],
        {
            "category": [lab for _, lab in learn],
            "severity": ["major" if "工信部" in t else "general" for t, _ in learn],
        },
    )
    blob = model.to_bytes()
    assert b"pickle" not in blob[:200]
    again = TextModel.from_bytes(blob)
    for text, _ in held_out[:10]:
        a, b = model.predict(text), again.predict(text)
        assert [v for v, _ in a["category"]] == [v for v, _ in b["category"]]
        assert a["category"][0][1] == pytest.approx(b["category"][0][1], abs=1e-5)
        assert sum(p for _, p in model.predict(text, top=9)["category"]) == pytest.approx(1.0)
        assert {v for v, _ in a["severity"]} <= {"general", "major"}


def test_a_field_with_one_label_gets_no_head_and_weights_count(corpus):
    learn, _ = corpus
    texts = [t for t, _ in learn]
    model = train(texts, {"category": [lab for _, lab in learn], "severity": ["general"] * len(texts)})
    assert set(model.heads) == {"category"}


def test_evaluate_gives_stratified_folds_per_class_figures_and_the_confusion_matrix():
    pairs = list(synthetic.corpus(12, seed=4, labels=("network", "billing", "fraud")))
    result = evaluation.evaluate([t for t, _ in pairs], [lab for _, lab in pairs], folds=5)
    assert result["folds"] == 5 and result["texts"] == 36
    assert set(result["per_class"]) == {"billing", "fraud", "network"}
    assert sum(map(sum, result["confusion"]["matrix"])) == 36  # every text predicted once, by a model that never saw it
    assert 0 <= result["macro_f1"] <= 1 and "confusion" in evaluation.report_text(result)
    with pytest.raises(ValueError, match="at least 2 texts"):
        evaluation.evaluate(["a", "b", "c"], ["x", "x", "y"])


def test_similarity_index_finds_the_near_duplicate_and_respects_the_window():
    index = SimilarityIndex()
    index.add(
        [1, 2, 3],
        ["朝阳区望京西园小区宽带断网，光猫亮红灯", "话费被多扣了三十元要求退费", "营业厅工作人员态度恶劣"],
        [100.0, 100.0, 200.0],
    )
    assert index.query("望京西园宽带断网了", 2)[0][0] == 1
    assert index.query("望京西园宽带断网了", 2, since=150.0) == []  # older than the window
    assert index.query("营业厅态度差", 5, exclude={3}) == []
    assert similarity("上次投诉的多扣费还没退", "家里宽带断网了") == 0.0


def _same_answers(a: SimilarityIndex, b: SimilarityIndex, text: str) -> None:
    # the same texts in the same order, with the same scores up to float32 rounding (a block beside the main one
    # is multiplied, the main one summed by postings)
    got, want = a.query(text, 8), b.query(text, 8)
    assert [i for i, _ in got] == [i for i, _ in want]
    assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-5)


def test_an_index_that_drops_the_texts_before_the_window_finds_what_one_built_from_the_window_finds():
    pairs = list(synthetic.corpus(40, seed=3, labels=("network", "billing", "service")))
    texts = [t for t, _ in pairs]
    times = [float(i) for i in range(len(texts))]
    kept_from = len(texts) // 3
    moved = SimilarityIndex()
    for at in range(0, len(texts), 50):  # some merged into the main block, the last ones still beside it
        moved.add(list(range(at, at + 50))[: len(texts) - at], texts[at : at + 50], times[at : at + 50])
    whole = len(moved)
    moved, before = moved.since(float(kept_from)), moved
    assert len(before) == whole  # the index a lookup may still be using is left as it was
    fresh = SimilarityIndex()
    fresh.add(list(range(kept_from, len(texts))), texts[kept_from:], times[kept_from:])
    assert len(moved) == len(fresh) == len(texts) - kept_from
    for text in texts[::17] + ["望京西园宽带断网了", "话费多扣了要求退费"]:
        _same_answers(moved, fresh, text)
    assert moved.since(float(kept_from)) is moved  # nothing older left


def test_texts_beside_the_main_block_score_as_merged_ones_do():
    texts = [t for t, _ in synthetic.corpus(MERGE_AT // 8 + 10, seed=5, labels=("network", "billing"))]
    one_by_one = SimilarityIndex()
    for i, t in enumerate(texts[:40]):  # registered one at a time: all beside the main block
        one_by_one.add([i], [t], [0.0])
    merged = SimilarityIndex()
    merged.add(list(range(40)), texts[:40], [0.0] * 40)
    merged._merge()
    for text in texts[40:60]:
        _same_answers(one_by_one, merged, text)


def test_similarities_are_each_pair_s_similarity():
    others = ["家里宽带断网了，光猫亮红灯", "话费被多扣了三十元", "", "上次投诉的多扣费还没退"]
    assert similarities("上次投诉的多扣费还没退，话费又被多扣", others) == [
        similarity("上次投诉的多扣费还没退，话费又被多扣", b) for b in others
    ]
    assert similarities("宽带断网", []) == []


def test_areas_name_the_most_specific_place():
    assert areas.area("客户反映朝阳区望京西园小区宽带断了") == "望京西园小区"
    assert areas.area("城关镇幸福村整个村子没信号") == "幸福村"
    assert areas.area("手机一直显示不在服务区") is None


def test_topics_group_by_matter_with_terms_and_trend():
    pairs = list(synthetic.corpus(30, seed=8, labels=("network", "fraud")))
    found = topics(list(range(len(pairs))), [t for t, _ in pairs], [t for t, _ in pairs][:20], clusters=2)
    assert len(found) == 2 and sum(t.size for t in found) == 60
    assert all(t.terms and t.previous >= 0 for t in found)


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


def test_a_history_file_is_checked_row_by_row_and_labels_must_map():
    good = _csv("投诉内容,分类,受理时间\n话费多扣,资费,2026-01-05 09:30\n没信号,网络故障,2026/01/06\n")
    checked = history_file.check("h.csv", good)
    assert not checked.errors and [r["category"] for r in checked.rows] == ["billing", "network"]
    own = history_file.check("h.csv", _csv("text,label\n话费多扣,资费类\n"), taxonomy="own")
    assert not own.errors and own.rows[0]["label"] == "资费类" and own.rows[0]["category"] is None
    mapped = history_file.check("h.csv", _csv("text,label\n话费多扣,资费类\n"), {"资费类": "billing"})
    assert mapped.rows[0]["category"] == "billing"
    bad = history_file.check("h.csv", _csv("text,label\n,资费\n话费,不知道\n"))
    assert [(e["row"], e["field"]) for e in bad.errors] == [(2, "text"), (3, "label")]
    assert history_file.check("h.csv", _csv("内容\n话费\n")).errors[0]["field"] == "label"  # no label column
    assert history_file.check("h.txt", b"x").errors[0]["field"] == "file"


def test_an_xlsx_history_file_reads_like_the_csv():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["投诉内容", "投诉类别", "处理部门"])
    ws.append(["宽带断网", "网络", "网络部"])
    buf = io.BytesIO()
    wb.save(buf)
    checked = history_file.check("h.xlsx", buf.getvalue())
    assert not checked.errors and checked.rows[0]["department"] == "network"


def test_the_fast_features_of_one_text_equal_the_fitted_vectorisers(corpus):
    learn, held_out = corpus
    model = train([t for t, _ in learn], {"category": [lab for _, lab in learn]})
    for text in [t for t, _ in held_out[:20]] + ["  宽带  断了 ＡＢＣ 123 ", "x"]:
        idx, values = model.features(text)
        row = model.vectorizer.transform([normalize(text)])
        assert dict(zip(idx.tolist(), values.tolist())) == pytest.approx(
            dict(zip(row.indices.tolist(), row.data.tolist())), abs=1e-5
        )


def test_a_bad_text_setting_is_refused_naming_it(tmp_path):
    from app.domain.text_intelligence.settings import TextSettings, TextSettingsError

    bad = tmp_path / "t.toml"
    bad.write_text("[similar]\nmin_score = 2\n", encoding="utf-8")
    with pytest.raises(TextSettingsError, match="similar_min_score"):
        TextSettings.load(bad)
    bad.write_text("[burst]\nthreshold = 'many'\n", encoding="utf-8")
    with pytest.raises(TextSettingsError):
        TextSettings.load(bad)
