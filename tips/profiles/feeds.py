"""Each creator's things as Atom at /@handle/feed/, with a rel="payment" link per entry,
so feed readers can offer the button (the Flattr convention for feeds)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from accounts.profiles.bios import bio_text
from tips.profiles.selectors import profile_things
from tips.things.models import Thing
from tips.things.selectors import public_creator

FEED_ENTRIES = 50


class PaymentAtomFeed(Atom1Feed):
    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("payment_url"):
            handler.addQuickElement(
                "link",
                "",
                {"rel": "payment", "href": self.feed["payment_url"], "type": "text/html"},
            )

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement(
            "link", "", {"rel": "payment", "href": item["payment_url"], "type": "text/html"}
        )


class CreatorFeed(Feed):
    feed_type = PaymentAtomFeed

    def get_object(self, request, handle):
        creator = public_creator(handle)
        if creator is None:
            raise Http404
        return creator

    def title(self, creator):
        return _("%(name)s on %(site)s") % {"name": creator.name, "site": settings.SITE_NAME}

    def subtitle(self, creator):
        return bio_text(creator.bio) or None

    def link(self, creator):
        return creator.get_absolute_url()

    def feed_guid(self, creator):
        return settings.SITE_URL + creator.get_absolute_url()

    def author_name(self, creator):
        return creator.name

    def author_link(self, creator):
        return settings.SITE_URL + creator.get_absolute_url()

    def feed_extra_kwargs(self, creator):
        profile = Thing.objects.filter(owner=creator, is_profile=True, retired=False).first()
        return {"payment_url": settings.SITE_URL + profile.get_absolute_url() if profile else ""}

    def items(self, creator):
        return profile_things(creator).select_related("owner")[:FEED_ENTRIES]

    def item_title(self, thing):
        return thing.title

    def item_description(self, thing):
        return thing.description

    def item_link(self, thing):
        return thing.url

    def item_guid(self, thing):
        return settings.SITE_URL + thing.get_absolute_url()

    item_guid_is_permalink = False

    def item_pubdate(self, thing):
        return thing.created_at

    def item_updateddate(self, thing):
        return thing.created_at

    def item_categories(self, thing):
        return thing.tag_list

    def item_extra_kwargs(self, thing):
        return {"payment_url": settings.SITE_URL + thing.get_absolute_url()}
