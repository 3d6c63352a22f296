"""The text package: language, words, figures and sentences in any script."""

import pytest

from text.language import detect, name
from text.numbers import numbers
from text.sentences import sentence_spans
from text.tokens import char_ngrams, fold, terms, words


@pytest.mark.parametrize("lang, question", [
    ("fr", "Quel âge a Liang Wenfeng ?"),
    ("fr", "Combien coûte DeepSeek ?"),
    ("en", "What does it cost?"),
    ("en", "Who founded DeepSeek?"),
    ("zh", "弗雷斯诺西侧的另一个名字是什么？"),
    ("zh", "伊斯兰国家在哪些年份爆发了瘟疫？"),  # Wu Chinese to an unrestricted model
    ("ru", "Сколько стоит обучение модели?"),
    ("ar", "في أي فترة كان العصر البليستوسيني؟"),  # Moroccan Arabic to an unrestricted model
    ("es", "¿Cuánto cuesta el entrenamiento?"),
    ("de", "Wie viel hat das Training gekostet?"),
])
def test_short_questions_are_told_apart(lang, question):
    assert detect(question) == lang


def test_a_text_with_nothing_telling_gets_the_default():
    assert detect("2,19 $", default="fr") == "fr" and detect("", default="de") == "de"
    assert detect("Nvidia", default="fr") == "fr"
    assert name("ru") == "Russian" and name("zh") == "Chinese" and name("xx") == "xx"


def test_fold_drops_accents_and_compatibility_forms():
    assert fold("Économie’s Œuvre") == "economie's oeuvre"
    assert fold("ＡＢＣ１２\u00a0Straße") == "abc12 strasse"
    assert fold("Ёлка") == "елка"
    assert fold("حَرَكَات") == "حركات"  # Arabic short vowels are marks
    assert fold("हिन्दी") == "हिन्दी"  # a virama is part of the letter, not an accent
    assert fold("ガス") == "ガス"  # nor is the kana voicing mark


def test_words_of_any_script():
    assert words("L'économie de GPT-4, 2024") == ["l", "economie", "de", "gpt", "4", "2024"]
    assert words("弗雷斯诺西侧") == ["弗", "雷", "斯", "诺", "西", "侧"]
    assert words("R1模型很好") == ["r1", "模", "型", "很", "好"]
    assert words("في أي فترة كان العصر البليستوسيني؟") == ["في", "اي", "فترة", "كان", "العصر", "البليستوسيني"]
    assert words("Привет, мир!") == ["привет", "мир"]


def test_terms_pair_cjk_characters_and_stem_before_folding():
    assert terms("弗雷斯诺西侧的名字") == ["弗雷", "雷斯", "斯诺", "诺西", "西侧", "侧的", "的名", "名字"]
    assert terms("是 R1") == ["是", "r1"]  # a lone character stays itself
    assert terms("هل أنت بخير؟") == ["هل", "انت", "بخير"]
    assert terms("Économie", stem=lambda ws: [w[:-1] for w in ws]) == ["economi"]


def test_char_ngrams_are_padded_within_words():
    assert char_ngrams("Chat") == {"_ch", "cha", "hat", "at_"}
    assert char_ngrams("a") == {"_a_"}
    assert char_ngrams("中文字") == {"中文", "文字"}
    assert char_ngrams("le chat", 4) == {"_le_", "_cha", "chat", "hat_"}


@pytest.mark.parametrize("text, expected", [
    ("1 000 personnes, 1,000 people, 1\u202f000 €", {"1000"}),
    ("5,6 % ou 5.60 %", {"5.6"}),
    ("1,000,000 et 1.000.000 et 1 234 567,50", {"1000000", "1234567.5"}),
    ("٣٫٥ مليار و ١٬٠٠٠ دولار", {"3.5", "1000"}),  # Arabic-Indic digits, Arabic separators
    ("۱۲۳ تومان", {"123"}),  # Persian digits
    ("१२३ रुपये", {"123"}),  # Devanagari
    ("２０２４年", {"2024"}),  # full-width
    ("R1, GPT-4 et Llama-3.1 à 2,19 $", {"2.19"}),  # digits of a name are no figure
    ("en 2019, 100 personnes", {"2019", "100"}),
    ("007 ou 0,50", {"7", "0.5"}),
])
def test_numbers_in_any_script(text, expected):
    assert numbers(text) == expected


def _sentences(text):
    return [text[s:e] for s, e in sentence_spans(text)]


def test_sentences_end_at_cjk_and_arabic_terminators_without_space():
    assert _sentences("你好。我很好！谢谢？") == ["你好。", "我很好！", "谢谢？"]
    assert _sentences("他说：“我来了。”然后走了。") == ["他说：“我来了。”", "然后走了。"]
    assert _sentences("هل أنت بخير؟ نعم، شكرا.") == ["هل أنت بخير؟", "نعم، شكرا."]
    assert _sentences("यह एक वाक्य है। यह दूसरा है।") == ["यह एक वाक्य है।", "यह दूसरा है।"]
    assert _sentences("Привет. Как дела? Хорошо, т. е. нормально.") == [
        "Привет.", "Как дела?", "Хорошо, т. е. нормально."]


def test_abbreviations_and_numbers_do_not_end_a_sentence():
    text = ("M. Dupont a vu J. Smith. Dr. Who lives in the U.S. Army base, e.g. near St. Paul. "
            "See p. 12 and art. 5 of the code. It costs 3.5 dollars, etc. and more. The end.")
    assert _sentences(text) == [
        "M. Dupont a vu J. Smith.", "Dr. Who lives in the U.S. Army base, e.g. near St. Paul.",
        "See p. 12 and art. 5 of the code.", "It costs 3.5 dollars, etc. and more.", "The end."]
    assert _sentences("Il est né en 2019. Puis il a grandi.") == ["Il est né en 2019.", "Puis il a grandi."]
    assert _sentences("« Quoi ? » dit-il. Rien.") == ["« Quoi ? » dit-il.", "Rien."]


def test_sentence_spans_are_absolute_and_stripped():
    text = "  Avant.\n\nUne phrase coupée en\ndeux lignes. Fin.\nliste en minuscule après un point.  "
    spans = sentence_spans(text, 2)
    assert [text[s:e] for s, e in spans] == [
        "Avant.", "Une phrase coupée en\ndeux lignes.", "Fin.", "liste en minuscule après un point."]
    assert sentence_spans(text, 10, 30) == [(10, 30)]
