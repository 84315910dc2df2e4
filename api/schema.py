"""The OpenAPI 3 document of the API (drf-spectacular): the objects of docs/API-V2.md as
serializers, used to describe the views (the views build their answers in api.objects)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers


class MiniUser(serializers.Serializer):
    type = serializers.CharField()
    resource = serializers.URLField()
    link = serializers.URLField()
    username = serializers.CharField()


class User(MiniUser):
    url = serializers.CharField(allow_blank=True, required=False)
    firstname = serializers.CharField(allow_blank=True, required=False)
    lastname = serializers.CharField(allow_blank=True, required=False)
    avatar = serializers.CharField(allow_blank=True, required=False)
    about = serializers.CharField(allow_blank=True, required=False)
    city = serializers.CharField(allow_blank=True, required=False)
    country = serializers.CharField(allow_blank=True, required=False)
    email = serializers.EmailField(required=False, help_text="With the email scope.")
    registered_at = serializers.IntegerField(required=False, help_text="With extendedread.")


class MiniThing(serializers.Serializer):
    type = serializers.CharField()
    resource = serializers.URLField()
    link = serializers.URLField()
    id = serializers.IntegerField()
    url = serializers.URLField()
    title = serializers.CharField()
    image = serializers.CharField(allow_blank=True)
    flattrs = serializers.IntegerField()


class Thing(MiniThing):
    description = serializers.CharField(allow_blank=True)
    flattrs_user_count = serializers.IntegerField()
    tags = serializers.ListField(child=serializers.CharField())
    language = serializers.CharField(allow_blank=True)
    category = serializers.ChoiceField(
        choices=["text", "images", "video", "audio", "software", "people", "rest"]
    )
    created_at = serializers.IntegerField()
    hidden = serializers.BooleanField()
    owner = User(help_text="A mini user; a full one with `full`.")
    flattred = serializers.BooleanField(required=False)
    subscribed = serializers.BooleanField(required=False)
    last_flattr_at = serializers.IntegerField(required=False, allow_null=True)
    updated_at = serializers.IntegerField(required=False)


class Flattr(serializers.Serializer):
    type = serializers.CharField()
    thing = MiniThing(help_text="A mini thing; a full one with `full`.")
    owner = User()
    created_at = serializers.IntegerField()


class Subscription(serializers.Serializer):
    type = serializers.CharField()
    thing = MiniThing()
    status = serializers.ChoiceField(choices=["active", "paused", "cancelled", "ended"])
    months = serializers.IntegerField(allow_null=True)
    first_month = serializers.CharField()
    last_month = serializers.CharField(allow_null=True)
    created_at = serializers.IntegerField()


class SearchResult(serializers.Serializer):
    total_items = serializers.IntegerField()
    items = serializers.IntegerField()
    page = serializers.IntegerField()
    things = Thing(many=True)


class Error(serializers.Serializer):
    error = serializers.CharField()
    error_description = serializers.CharField(allow_blank=True)
    error_uri = serializers.URLField()


class LookupAnswer(serializers.Serializer):
    message = serializers.ChoiceField(choices=["found", "flattrable", "not_found"])
    location = serializers.URLField(required=False)
    description = serializers.CharField(required=False)
    error = serializers.CharField(required=False)
    error_description = serializers.CharField(required=False)
    error_uri = serializers.URLField(required=False)


class Created(serializers.Serializer):
    id = serializers.IntegerField()
    link = serializers.URLField()
    message = serializers.CharField()
    description = serializers.CharField()


class Message(serializers.Serializer):
    message = serializers.CharField()
    description = serializers.CharField()


class Flattred(Message):
    thing = MiniThing()


class IdText(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()


class RateLimit(serializers.Serializer):
    hourly_limit = serializers.IntegerField()
    remaining_hits = serializers.IntegerField()
    current_hits = serializers.IntegerField()
    reset_time_in_seconds = serializers.IntegerField()
    reset_time = serializers.CharField()


class ThingFields(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=200)
    description = serializers.CharField(required=False, max_length=5000)
    category = serializers.ChoiceField(
        choices=["text", "images", "video", "audio", "software", "people", "rest"],
        required=False,
    )
    language = serializers.CharField(required=False, help_text="e.g. en_GB")
    tags = serializers.CharField(required=False, help_text="Comma-separated.")
    image = serializers.URLField(required=False)
    hidden = serializers.BooleanField(required=False)


class ThingCreate(ThingFields):
    url = serializers.URLField()


class ThingEdit(ThingFields):
    _method = serializers.ChoiceField(choices=["patch"], required=False)


class FlattrByUrl(serializers.Serializer):
    url = serializers.CharField(help_text="A thing's URL or an auto-submit URL.")


class SubscriptionStart(serializers.Serializer):
    months = serializers.ChoiceField(choices=[3, 6, 12], required=False, allow_null=True)


# --- Parameters and responses ------------------------------------------------------------

FULL = OpenApiParameter(
    "full", OpenApiTypes.BOOL, description="Full nested objects instead of mini ones."
)
PAGE = OpenApiParameter("page", OpenApiTypes.INT, description="From 1.")
COUNT = OpenApiParameter("count", OpenApiTypes.INT, description="Default 30, at most 100.")
LIST = [FULL, PAGE, COUNT]
IDS = OpenApiParameter(
    "ids",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=r"^[0-9]{1,18}(,[0-9]{1,18})*$",
    description="One id, or several separated by commas.",
)


THING_OR_THINGS = PolymorphicProxySerializer(
    component_name="ThingOrThings",
    serializers=[Thing],  # the array form is added by thing_or_things below
    resource_type_field_name=None,
)


def thing_or_things(result, generator, request, public):
    """drf-spectacular drops ``many=True`` from a polymorphic proxy: ``ThingOrThings`` is one
    thing or an array of things."""
    thing = {"$ref": "#/components/schemas/Thing"}
    result["components"]["schemas"]["ThingOrThings"] = {
        "oneOf": [thing, {"type": "array", "items": thing}]
    }
    return result


def errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(Error) for status in statuses}


READ = errors(400, 401, 403, 404, 406)
AUTH = errors(400, 401, 403, 404, 406)


def doc(**kwargs):
    return extend_schema(**kwargs)


class BearerScheme(OpenApiAuthenticationExtension):
    """An OAuth 2 access token or a personal access token, as ``Authorization: Bearer``."""

    target_class = "api.auth.BearerAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}
