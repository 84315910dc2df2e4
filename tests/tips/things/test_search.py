"""Full-text search of things (tips.things.search): every word must match, best first, only
public things; on PostgreSQL through the GIN index."""

import pytest
from django.db import connection

from tests.factories import ThingFactory, UserFactory
from tips.things.search import SEARCH_INDEX_NAME, query_words, search_things

pytestmark = pytest.mark.django_db


def titles(things) -> list[str]:
    return [thing.title for thing in things]


def test_every_word_must_match_and_title_hits_rank_first():
    ThingFactory(title="Cooking at home", description="A podcast about soup")
    ThingFactory(title="The soup podcast", description="Weekly")
    ThingFactory(title="Soup recipes", description="No audio here")
    ThingFactory(title="Gardening", tags="podcast, soup")

    found = titles(search_things("soup podcast"))

    assert found[0] == "The soup podcast"
    assert set(found) == {"Cooking at home", "The soup podcast", "Gardening"}


def test_tags_and_description_are_searched_and_case_does_not_matter():
    ThingFactory(title="Episode 12", tags="Jazz, Live")
    ThingFactory(title="Episode 13", description="Recorded LIVE in Lyon")

    assert set(titles(search_things("live"))) == {"Episode 12", "Episode 13"}
    assert titles(search_things("JAZZ")) == ["Episode 12"]


def test_hidden_retired_and_suspended_creators_things_are_never_found():
    ThingFactory(title="Open letter")
    ThingFactory(title="Hidden letter", hidden=True)
    ThingFactory(title="Retired letter", retired=True)
    ThingFactory(title="Suspended letter", owner=UserFactory(suspended_at="2026-01-01T00:00Z"))

    assert titles(search_things("letter")) == ["Open letter"]


def test_an_empty_or_punctuation_only_query_finds_nothing_and_quotes_are_harmless():
    ThingFactory(title="Anything")

    assert list(search_things("")) == []
    assert list(search_things("  ' & | ! :* ")) == []
    assert list(search_things("it's")) == []  # "it" and "s": no thing has both words
    assert query_words("Soup, soup & SOUP!") == ["soup"]


def test_the_search_can_narrow_a_given_queryset():
    mine = ThingFactory(title="My song")
    ThingFactory(title="Your song")

    assert titles(search_things("song", things=mine.owner.things.all())) == ["My song"]


@pytest.mark.postgres
def test_words_are_prefixes_and_postgresql_uses_the_gin_index():
    ThingFactory(title="Podcasting for beginners")
    ThingFactory.create_batch(20)

    assert titles(search_things("podc begin")) == ["Podcasting for beginners"]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = search_things("podcast").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert SEARCH_INDEX_NAME in plan
