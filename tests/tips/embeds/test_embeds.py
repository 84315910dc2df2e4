import html
from urllib.parse import parse_qs, urlencode

import pytest
from django.urls import reverse

from tests.factories import ClickFactory, ThingFactory, UserFactory, ready_reader
from tips.clicks.models import Click
from tips.clicks.services import ClickResult, click_register
from tips.embeds.services import thing_submit_and_click
from tips.embeds.submissions import SubmissionInvalid, submission_resolve
from tips.things.models import Thing

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def badge_url(thing):
    return reverse("tips:badge", kwargs={"pk": thing.pk})


def widget_url(thing):
    return reverse("tips:widget", kwargs={"pk": thing.pk})


# --- Badge -------------------------------------------------------------------------


def test_the_badge_is_an_accessible_cacheable_svg_with_the_count(client):
    thing = ThingFactory()
    ClickFactory.create_batch(2, thing=thing)

    response = client.get(badge_url(thing))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"]
    svg = text(response)
    assert 'role="img"' in svg
    assert '<title id="badge-title">Flattr this: 2 flattrs</title>' in svg
    assert ">2</text>" in svg


def test_a_badge_request_with_the_current_etag_gets_304(client):
    thing = ThingFactory()
    etag = client.get(badge_url(thing))["ETag"]

    response = client.get(badge_url(thing), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""


def test_a_new_click_changes_the_badge_etag(client):
    thing = ThingFactory()
    etag = client.get(badge_url(thing))["ETag"]
    click_register(reader=ready_reader(), thing=thing)

    response = client.get(badge_url(thing), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert ">1</text>" in text(response)


def test_badge_and_widget_do_not_touch_the_database_on_a_warm_cache(
    client, django_assert_num_queries
):
    thing = ThingFactory()
    ClickFactory(thing=thing)
    client.get(badge_url(thing))  # warms the cache

    with django_assert_num_queries(0):
        badge = client.get(badge_url(thing))
        widget = client.get(widget_url(thing) + "?origin=https://creator.example")

    assert ">1</text>" in text(badge)
    assert "data-count>1<" in text(widget)


def test_unknown_things_have_no_badge_or_widget(client):
    assert client.get("/t/999999/badge.svg").status_code == 404
    assert client.get("/t/999999/widget/").status_code == 404


# --- Framing ---------------------------------------------------------------------------


def test_the_thing_page_refuses_to_be_framed(client):
    response = client.get(ThingFactory().get_absolute_url())
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_the_popup_refuses_to_be_framed_but_keeps_its_opener(client):
    thing = ThingFactory()
    response = client.get(reverse("tips:popup", kwargs={"pk": thing.pk}))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"


def test_the_widget_may_be_framed_by_any_site(client):
    response = client.get(widget_url(ThingFactory()))
    assert "X-Frame-Options" not in response
    assert response["Content-Security-Policy"] == "frame-ancestors *"
    assert not response.cookies


def test_the_widget_passes_only_a_valid_origin_on(client):
    thing = ThingFactory()
    good = text(client.get(widget_url(thing) + "?origin=https://creator.example"))
    bad = text(client.get(widget_url(thing) + "?origin=https://creator.example/evil"))
    assert 'data-origin="https://creator.example"' in good
    assert "origin=https%3A%2F%2Fcreator.example" in good
    assert 'data-origin=""' in bad


def click_from_popup(client, thing, origin):
    """The reader presses the popup's button; returns the popup URL the click redirects to."""
    response = client.post(reverse("tips:click", kwargs={"pk": thing.pk}), {"origin": origin})
    assert response.status_code == 302
    return response["Location"]


def test_a_popup_opened_by_another_site_does_not_tell_it_whether_the_reader_flattred(client):
    reader, thing = ready_reader(), ThingFactory()
    click_register(reader=reader, thing=thing)
    client.force_login(reader)
    popup = reverse("tips:popup", kwargs={"pk": thing.pk})

    page = text(client.get(popup + "?origin=https://evil.example"))

    assert "You already flattred this thing this month." in page  # the reader still sees it
    assert "flattr-handoff" not in page
    assert "data-origin" not in page


def test_the_popup_hands_the_count_over_once_right_after_its_own_click(client):
    reader, thing = ready_reader(), ThingFactory()
    click_register(reader=reader, thing=thing)
    client.force_login(reader)
    popup = reverse("tips:popup", kwargs={"pk": thing.pk}) + "?origin=https://creator.example"
    assert "flattr-handoff" not in text(client.get(popup))

    back = click_from_popup(client, thing, "https://creator.example")
    after_click = text(client.get(back))
    reopened = text(client.get(back))

    assert "You already flattred this thing this month." in after_click
    assert 'data-origin="https://creator.example"' in after_click
    assert 'data-total="1"' in after_click
    assert "flattr-handoff" not in reopened
    assert "You already flattred this thing this month." in reopened


def test_the_popup_hands_the_count_only_to_a_validated_origin(client):
    reader, thing = ready_reader(), ThingFactory()
    click_register(reader=reader, thing=thing)
    client.force_login(reader)
    popup = reverse("tips:popup", kwargs={"pk": thing.pk})

    page = text(client.get(click_from_popup(client, thing, "http://127.0.0.1:8001")))
    assert 'data-origin="http://127.0.0.1:8001"' in page
    assert "You already flattred this thing this month." in page

    # Not an exact origin: the click is not a popup's, so nothing is handed over anywhere.
    for loose in ("*", "https://creator.example/evil", "javascript:alert(1)"):
        assert click_from_popup(client, thing, loose) == thing.get_absolute_url()
        page = text(client.get(popup + "?" + urlencode({"origin": loose})))
        assert "flattr-handoff" not in page

    # The hand-off goes to the origin of the click only, not to another one asking for it.
    click_from_popup(client, thing, "https://creator.example")
    page = text(client.get(popup + "?origin=https://evil.example"))
    assert "flattr-handoff" not in page
    assert "data-origin" not in page


def test_a_click_from_the_popup_returns_to_the_popup_with_its_origin(client):
    reader, thing = ready_reader(), ThingFactory(title="Tune")
    client.force_login(reader)

    page = client.post(
        reverse("tips:click", kwargs={"pk": thing.pk}),
        {"origin": "https://creator.example"},
        follow=True,
    )

    final_url = page.redirect_chain[-1][0]
    assert final_url.startswith(reverse("tips:popup", kwargs={"pk": thing.pk}))
    assert "origin=https%3A%2F%2Fcreator.example" in final_url
    assert "Thank you! You flattred “Tune”." in text(page)
    assert 'data-total="1"' in text(page)
    assert 'data-origin="https://creator.example"' in text(page)


def test_click_redirects_never_leave_the_platform(client):
    reader, thing = ready_reader(), ThingFactory()
    client.force_login(reader)
    response = client.post(
        reverse("tips:click", kwargs={"pk": thing.pk}), {"next": "https://evil.example/"}
    )
    assert response["Location"] == thing.get_absolute_url()


# --- Auto-submit links -----------------------------------------------------------------


def submit_query(**params):
    return reverse("tips:submit") + "?" + urlencode(params)


def test_viewing_an_auto_submit_link_creates_nothing(client):
    UserFactory(handle="carol")
    client.force_login(ready_reader())

    page = client.get(
        submit_query(creator="carol", url="https://carol.example/p?utm_source=x", title="Hi")
    )

    assert page.status_code == 200
    assert "https://carol.example/p" in text(page)
    assert not Thing.objects.exists()


def test_the_click_on_an_auto_submit_link_creates_the_thing_for_the_named_creator(client):
    carol = UserFactory(handle="carol")
    reader = ready_reader()
    client.force_login(reader)
    data = {"creator": "carol", "url": "https://carol.example/p?utm_source=x", "title": "Hi"}

    page = client.post(reverse("tips:submit"), data, follow=True)

    thing = Thing.objects.get()
    assert (thing.owner, thing.url, thing.title) == (carol, "https://carol.example/p", "Hi")
    assert Click.objects.get().thing == thing
    assert "You flattred “Hi”. Thank you!" in text(page)


def test_an_auto_submit_click_from_the_popup_hands_the_count_over_once(client):
    UserFactory(handle="carol")
    client.force_login(ready_reader())
    data = {"creator": "carol", "url": "https://carol.example/p", "title": "Hi"}
    origin = {"origin": "https://carol.example"}

    page = client.post(reverse("tips:submit"), {**data, **origin}, follow=True)
    thing = Thing.objects.get()
    reopened = text(client.get(submit_query(**data, **origin), follow=True))

    assert page.redirect_chain[-1][0].startswith(reverse("tips:popup", kwargs={"pk": thing.pk}))
    assert "Thank you! You flattred “Hi”." in text(page)
    assert 'data-origin="https://carol.example"' in text(page)
    assert "You already flattred this thing this month." in reopened
    assert "flattr-handoff" not in reopened


def test_an_auto_submit_link_naming_another_creator_than_the_owner_is_refused(client):
    # A link names a creator: the click counts only for them (docs/PRODUCT.md, Ownership).
    ThingFactory(url="https://dan.example/p")
    UserFactory(handle="mallory")
    reader = ready_reader()
    client.force_login(reader)
    data = {"creator": "mallory", "url": "https://dan.example/p#c", "title": "Stolen"}

    shown = client.get(submit_query(**data))
    clicked = client.post(reverse("tips:submit"), data)

    assert shown.status_code == clicked.status_code == 400
    assert "names @mallory" in text(clicked) and "Nothing was flattred" in text(clicked)
    assert Thing.objects.count() == 1
    assert not Click.objects.exists()


def test_an_auto_submit_link_naming_the_owner_uses_that_thing(client):
    existing = ThingFactory(url="https://dan.example/p")
    client.force_login(ready_reader())
    data = {"creator": existing.owner.handle, "url": "http://dan.example/p/", "title": "x"}

    shown = client.get(submit_query(**data))
    client.post(reverse("tips:submit"), data)

    assert shown["Location"] == existing.get_absolute_url()
    assert Click.objects.get().creator == existing.owner


def test_a_refused_auto_submit_click_creates_nothing(client):
    UserFactory(handle="erin")
    client.force_login(UserFactory())  # no budget, no money
    data = {"creator": "erin", "url": "https://erin.example/p"}

    page = client.post(reverse("tips:submit"), data, follow=True)

    assert "Set a monthly budget to flattr." in text(page)
    assert not Thing.objects.exists()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"creator": "nobody", "url": "https://x.example/"}, "This link names no creator"),
        ({"creator": "frank", "url": "mailto:a@b.c"}, "Use a web address starting with http://"),
        ({"creator": "frank"}, "Enter the address of your content."),
    ],
)
def test_a_broken_auto_submit_link_explains_itself(client, params, message):
    UserFactory(handle="frank")
    client.force_login(ready_reader())
    page = client.get(submit_query(**params))
    assert page.status_code == 400
    assert message in text(page)
    assert client.post(reverse("tips:submit"), params).status_code == 400
    assert not Thing.objects.exists()


def test_an_anonymous_auto_submit_click_logs_in_and_comes_back_to_the_link(client):
    UserFactory(handle="gina")
    data = {"creator": "gina", "url": "https://gina.example/p", "title": "Hi"}

    response = client.post(reverse("tips:submit"), data)

    assert response.status_code == 302
    login, _, query = response["Location"].partition("?")
    assert login == reverse("account_login")
    assert parse_qs(query) == {"next": [submit_query(**data)]}
    assert not Thing.objects.exists()


def test_an_auto_submit_click_over_the_rate_limit_answers_429_and_creates_nothing(client, settings):
    settings.CLICK_RATE_LIMIT_PER_HOUR = 1
    UserFactory(handle="hana")
    client.force_login(ready_reader())
    client.post(reverse("tips:submit"), {"creator": "hana", "url": "https://hana.example/1"})

    response = client.post(
        reverse("tips:submit"), {"creator": "hana", "url": "https://hana.example/2"}
    )

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert list(Thing.objects.values_list("url", flat=True)) == ["https://hana.example/1"]


def test_the_auto_submit_service_takes_the_links_fields_as_typed_arguments():
    ivy = UserFactory(handle="ivy")
    reader = ready_reader()

    result = thing_submit_and_click(
        reader=reader,
        creator_handle=" @ivy ",
        url="https://ivy.example/post?utm_source=feed",
        title="  A   long\ttitle ",
    )

    thing = Thing.objects.get()
    assert result.status == ClickResult.FLATTRED and result.click.thing == thing
    assert (thing.owner, thing.url, thing.title) == (
        ivy,
        "https://ivy.example/post",
        "A long title",
    )


def test_the_auto_submit_lookup_titles_an_untitled_link_after_its_address_and_writes_nothing():
    jo = UserFactory(handle="jo")

    submission = submission_resolve(creator_handle="jo", url="https://jo.example/notes/", title="")

    assert (submission.creator, submission.url, submission.title) == (
        jo,
        "https://jo.example/notes",  # one trailing-slash policy (docs/PRODUCT.md)
        "jo.example/notes",
    )
    assert submission.thing is None
    assert not Thing.objects.exists()
    with pytest.raises(SubmissionInvalid) as refused:
        submission_resolve(creator_handle="", url="https://jo.example/notes/", title="")
    assert str(refused.value.message) == "This link names no creator of this platform."
