"""Which language a text is in: py3langid's Naive Bayes model (shipped in its wheel, no download).

Restricted to ~30 widely used languages: on short questions a model free to answer any of its 140
languages picks neighbours (Wu Chinese for Mandarin, Moroccan for Standard Arabic, Catalan for French).
"""

from __future__ import annotations

import re
import threading

LANGUAGES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "sv": "Swedish", "da": "Danish", "no": "Norwegian", "fi": "Finnish", "pl": "Polish",
    "cs": "Czech", "sk": "Slovak", "hu": "Hungarian", "ro": "Romanian", "el": "Greek", "bg": "Bulgarian",
    "ru": "Russian", "uk": "Ukrainian", "tr": "Turkish", "ar": "Arabic", "fa": "Persian", "he": "Hebrew",
    "hi": "Hindi", "bn": "Bengali", "ur": "Urdu", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
    "th": "Thai", "vi": "Vietnamese", "id": "Indonesian",
}
_LETTER = re.compile(r"[^\W\d_]")
_SAMPLE = 1500  # characters: enough for a passage, and detection cost grows with length
_lock = threading.Lock()
_model = None


def _identifier():
    global _model
    with _lock:
        if _model is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            model.set_languages(list(LANGUAGES))
            _model = model
        return _model


def detect(text: str, default: str = "en") -> str:
    """The ISO 639-1 code of text's language; default when it has no letters or no telling feature."""
    sample = text[:_SAMPLE]
    if not _LETTER.search(sample):
        return default
    code, confidence = _identifier().classify(sample)
    # A text with nothing telling ("2,19 $", a bare name) scores all languages about alike.
    return code if confidence >= 2 / len(LANGUAGES) else default


def name(code: str) -> str:
    """English name of a language code ("ru" -> "Russian"); the code itself if unknown."""
    return LANGUAGES.get(code, code)
