"""Avatar uploads: images re-encoded to a small square; non-images, huge files and
decompression bombs are refused with a message and change nothing."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Avatar
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def image_file(size=(600, 400), fmt="PNG", name="me.png", color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def png_bomb(width=30000, height=30000) -> bytes:
    """A tiny PNG whose header claims width x height pixels (900 megapixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (width + 1) * 8)  # a few rows; the rest is never read
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def post(client, **files):
    return client.post(
        reverse("profile_edit"), {"display_name": "Ada", "bio": "", **files}, follow=True
    )


def test_an_image_is_resized_re_encoded_and_served_with_cache_headers(client):
    user = UserFactory()
    client.force_login(user)
    response = post(client, avatar=image_file())
    assert "Your profile is saved." in response.content.decode()
    user.refresh_from_db()
    assert user.avatar_digest
    avatar = client.get(user.avatar_url)
    assert avatar.status_code == 200
    assert avatar["Content-Type"] == "image/webp"
    assert "immutable" in avatar["Cache-Control"] and "max-age=31536000" in avatar["Cache-Control"]
    with Image.open(io.BytesIO(avatar.content)) as served:
        assert served.format == "WEBP"
        assert served.size == (256, 256)
    again = client.get(user.avatar_url, HTTP_IF_NONE_MATCH=avatar["ETag"])
    assert again.status_code == 304
    # The profile shows it; without one, the generated initial.
    assert user.avatar_url in client.get(user.get_absolute_url()).content.decode()


def test_the_initial_without_an_avatar(client):
    user = UserFactory(display_name="zoé")
    page = client.get(user.get_absolute_url()).content.decode()
    assert 'class="avatar avatar-initial' in page and ">Z</span>" in page


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("me.png", b"<?php echo 1; ?>", content_type="image/png"),
            "not an image we can read",
        ),
        (
            SimpleUploadedFile("me.png", image_file().read()[:60], content_type="image/png"),
            "not an image we can read",
        ),
        (SimpleUploadedFile("bomb.png", png_bomb(), content_type="image/png"), "too large"),
        (
            SimpleUploadedFile("me.bmp", image_file(fmt="BMP").read(), content_type="image/bmp"),
            "not an image we can read",
        ),
    ],
    ids=["not-an-image", "truncated", "decompression-bomb", "bmp"],
)
def test_refused_uploads_change_nothing(client, upload, message):
    user = UserFactory(display_name="Before")
    client.force_login(user)
    response = post(client, avatar=upload)
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.avatar_digest == "" and user.display_name == "Before"
    assert not Avatar.objects.exists()


def test_a_huge_file_is_refused(client, settings):
    settings.AVATAR_MAX_BYTES = 50_000
    user = UserFactory()
    client.force_login(user)
    noisy = Image.effect_noise((400, 400), 100).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    assert len(buffer.getvalue()) > 50_000
    response = post(client, avatar=SimpleUploadedFile("big.png", buffer.getvalue()))
    assert "at most" in response.content.decode()
    assert not Avatar.objects.exists()


def test_too_many_pixels_even_when_small_on_disk(client, settings):
    settings.AVATAR_MAX_PIXELS = 1_000_000
    user = UserFactory()
    client.force_login(user)
    response = post(client, avatar=image_file(size=(2000, 1000)))
    assert "too large" in response.content.decode()
    assert not Avatar.objects.exists()


def test_remove_the_avatar(client):
    user = UserFactory()
    client.force_login(user)
    post(client, avatar=image_file())
    client.post(reverse("profile_edit"), {"display_name": "", "bio": "", "remove_avatar": "on"})
    user.refresh_from_db()
    assert user.avatar_digest == "" and not Avatar.objects.exists()
