"""Folding report text so that the same words meet however they were typed.

Citizens type Vietnamese with and without accents ("rác thải", "rac thai"), in composed or decomposed Unicode
(phones differ), in capitals, with phone numbers, prices and links. The classifier sees one spelling: no combining
marks, đ as d, lower case, every number as 0 and every link or e-mail address as one placeholder word.
"""

import re
import unicodedata

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 200.000, 0905 123 456, 22h30, 12/3: any run of digits with separators is one number.
_NUMBER = re.compile(r"\d+(?:[.,:/h-]\d+)*")
_NOT_WORD = re.compile(r"[\W_]+")
# Letters that decomposition does not take apart: đ, and the eth some keyboards type for it.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})

URL_WORD = "zzurl"
EMAIL_WORD = "zzemail"


def fold(text: str) -> str:
    """The folded spelling of `text`: words of ASCII letters and digits separated by single spaces."""
    text = unicodedata.normalize("NFC", text or "")
    text = _URL.sub(f" {URL_WORD} ", text)
    text = _EMAIL.sub(f" {EMAIL_WORD} ", text)
    text = text.translate(_LETTERS)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = _NUMBER.sub(" 0 ", text.lower())
    return " ".join(_NOT_WORD.sub(" ", text).split())


def fold_all(texts) -> list[str]:
    """fold() over a sequence; the first step of the classifier's pipeline (module-level, so it pickles)."""
    return [fold(text) for text in texts]
