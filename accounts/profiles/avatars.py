"""Avatar uploads: validated with Pillow, resized to a square, re-encoded, size-limited.

Only the re-encoded pixels are kept, never the uploaded file: whatever the upload carried
(metadata, a second payload, a script in a polyglot file) is gone after ``avatar_encode``.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP"})


def _max_bytes() -> int:
    return settings.AVATAR_MAX_BYTES


def avatar_encode(upload) -> tuple[bytes, str]:
    """The square WebP version of an uploaded image and its digest.

    Raises ``ValidationError`` for a file that is too big, not an image, an image too large
    in pixels (a decompression bomb is refused before it is decoded), or unreadable.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > _max_bytes():
        raise ValidationError(
            _("Use an image of %(megabytes)s MB at most.")
            % {"megabytes": _max_bytes() // (1024 * 1024)},
            code="too_big",
        )
    data = upload.read(_max_bytes() + 1)
    if len(data) > _max_bytes():
        raise ValidationError(
            _("Use an image of %(megabytes)s MB at most.")
            % {"megabytes": _max_bytes() // (1024 * 1024)},
            code="too_big",
        )
    not_an_image = ValidationError(
        _("This file is not an image we can read: use a JPEG, PNG, GIF or WebP image."),
        code="not_an_image",
    )
    too_many_pixels = ValidationError(
        _("This image is too large: use one of at most %(pixels)s million pixels.")
        % {"pixels": settings.AVATAR_MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that: make it an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise not_an_image
                width, height = probe.size
                # Checked on the header, before a single pixel is decoded.
                if width * height > settings.AVATAR_MAX_PIXELS:
                    raise too_many_pixels
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.seek(0)  # the first frame of an animation
                image.load()
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
                edge = settings.AVATAR_SIZE
                square = ImageOps.fit(image, (edge, edge), method=Image.Resampling.LANCZOS)
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise too_many_pixels from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            raise not_an_image from error
    out = io.BytesIO()
    square.save(out, format="WEBP", quality=85, method=4)
    encoded = out.getvalue()
    return encoded, hashlib.sha256(encoded).hexdigest()[:16]
