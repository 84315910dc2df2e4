"""The French catalogue follows French typography and says "e-mail" throughout."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from flattr_clone.templatetags.dates import long_date

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def french_messages() -> list[str]:
    """Every msgstr of the French catalogue, joined across lines (obsolete ones left out)."""
    text = CATALOGUE.read_text(encoding="utf-8")
    messages, current = [], None
    for line in text.splitlines():
        if line.startswith("#~"):
            current = None
            continue
        match = re.match(r'msgstr(?:\[\d\])? "(.*)"$', line)
        if match:
            current = [match.group(1)]
            messages.append(current)
        elif current is not None and line.startswith('"'):
            current.append(line[1:-1])
        else:
            current = None
    return ["".join(parts) for parts in messages if "".join(parts)][1:]  # not the header


def test_high_punctuation_has_a_no_break_space_before_it():
    wrong = [m for m in french_messages() if re.search(r"( |\w)[;!?](\s|$)| :(\s|$)", m)]
    assert wrong == []


def test_quotes_are_french_guillemets():
    assert [m for m in french_messages() if "“" in m or "”" in m] == []


def test_one_word_for_e_mail():
    words = r"\bcourriels?\b|\bmél\b|(?<![eE]-)\b[Ee]?mails?\b"
    stripped = (re.sub(r"%\(email\)s|\{email\}|mailto:", "", m) for m in french_messages())
    assert [m for m in stripped if re.search(words, m)] == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "1er\u00a0décembre 2026"), ("en", "December 1, 2026")],
)
def test_the_first_of_a_month_is_written_as_people_write_it(language, expected):
    import datetime as dt

    with translation.override(language):
        assert long_date(dt.date(2026, 12, 1)) == expected


def test_third_party_pages_say_e_mail_too():
    with translation.override("fr"):
        assert translation.gettext("Enter a valid email address.") == (
            "Saisissez une adresse e-mail valide."
        )
        assert translation.gettext("Email") == "E-mail"
