import unicodedata

from dashboard.classifier.text import fold


def test_accents_and_case_fold_away_so_typed_and_untyped_vietnamese_meet():
    assert fold("Rác thải") == fold("rac thai") == "rac thai"
    assert fold("ĐÈN ĐƯỜNG hư hỏng") == fold("den duong hu hong") == "den duong hu hong"


def test_composed_and_decomposed_unicode_fold_the_same():
    text = "Ổ gà trên đường Lê Lợi"
    assert (
        fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text)) == "o ga tren duong le loi"
    )


def test_d_with_stroke_and_its_lookalike_become_d():
    assert fold("đổ rác") == fold("ðổ rác") == "do rac"


def test_numbers_links_and_addresses_are_folded_to_placeholders():
    text = "Giá 200.000đ, gọi 0905 123 456 lúc 22h30, xem https://example.org/a?b=1 hoặc mail a.b@example.org"
    assert fold(text) == "gia 0 d goi 0 0 0 luc 0 xem zzurl hoac mail zzemail"


def test_punctuation_and_spacing_do_not_matter():
    assert fold("  Karaoke!!! hát... to--đến   khuya ") == "karaoke hat to den khuya"
    assert fold("") == fold(None) == ""


def test_english_is_lowercased_and_kept():
    assert fold("The Streetlight is OUT") == "the streetlight is out"
