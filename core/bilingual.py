"""Messages said in both languages: refusals and import errors go to people and logs that may read
either, so they carry Vietnamese and English whatever the page's language."""

from django.utils import translation

LANGUAGES = ("vi", "en")


def in_both(make) -> dict:
    """{language: make()} with `make` called once in Vietnamese and once in English."""
    results = {}
    for language in LANGUAGES:
        with translation.override(language):
            results[language] = make()
    return results


def in_both_text(make) -> str:
    """`make()` in Vietnamese, then " / " and in English (once when they are the same)."""
    texts = in_both(lambda: str(make()))
    return texts["vi"] if texts["vi"] == texts["en"] else f"{texts['vi']} / {texts['en']}"
