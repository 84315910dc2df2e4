"""The API's errors: ``{"error", "error_description", "error_uri"}`` with Flattr's codes and
statuses (docs/API-V2.md, Conventions), for our own refusals and for DRF's."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response


class ApiError(exceptions.APIException):
    """A refusal with one of Flattr's error codes."""

    def __init__(self, code: str, description, status_code: int = status.HTTP_400_BAD_REQUEST):
        super().__init__(detail=str(description), code=code)
        self.status_code = status_code
        self.error_code = code


def invalid_parameters(description) -> ApiError:
    return ApiError("invalid_parameters", description)


def validation(description) -> ApiError:
    return ApiError("validation", description)


def forbidden(description, code: str = "forbidden") -> ApiError:
    return ApiError(code, description, status.HTTP_403_FORBIDDEN)


def not_found(description=None) -> ApiError:
    return ApiError(
        "not_found", description or _("There is nothing here."), status.HTTP_404_NOT_FOUND
    )


def error_uri() -> str:
    return f"{settings.SITE_URL}/rest/v2/schema/docs/"


def error_body(code: str, description: str) -> dict:
    return {"error": code, "error_description": description, "error_uri": error_uri()}


def _describe(detail) -> str:
    """One sentence from DRF's detail (a string, a list or a dict of field errors)."""
    if isinstance(detail, dict):
        parts = []
        for field, errors in detail.items():
            text = _describe(errors)
            parts.append(text if field == "non_field_errors" else f"{field}: {text}")
        return " ".join(parts)
    if isinstance(detail, list):
        return " ".join(_describe(item) for item in detail)
    return str(detail)


_CODES = [
    (exceptions.NotAuthenticated, "unauthorized", status.HTTP_401_UNAUTHORIZED),
    (exceptions.AuthenticationFailed, "unauthorized", status.HTTP_401_UNAUTHORIZED),
    (exceptions.PermissionDenied, "forbidden", status.HTTP_403_FORBIDDEN),
    (exceptions.NotFound, "not_found", status.HTTP_404_NOT_FOUND),
    (exceptions.NotAcceptable, "not_acceptable", status.HTTP_406_NOT_ACCEPTABLE),
    (exceptions.Throttled, "rate_limit_exceeded", status.HTTP_403_FORBIDDEN),
    (exceptions.ValidationError, "validation", status.HTTP_400_BAD_REQUEST),
    (exceptions.ParseError, "invalid_request", status.HTTP_400_BAD_REQUEST),
    (exceptions.UnsupportedMediaType, "invalid_request", status.HTTP_400_BAD_REQUEST),
    (exceptions.MethodNotAllowed, "invalid_request", status.HTTP_405_METHOD_NOT_ALLOWED),
]


def exception_handler(exc, context):
    from rest_framework.views import exception_handler as drf_exception_handler  # no cycle

    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("There is nothing here."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling (and logging) takes over
    if isinstance(exc, ApiError):
        code, status_code = exc.error_code, exc.status_code
    else:
        code, status_code = "invalid_request", response.status_code
        for kind, kind_code, kind_status in _CODES:
            if isinstance(exc, kind):
                code, status_code = kind_code, kind_status
                break
    answer = Response(error_body(code, _describe(exc.detail)), status=status_code)
    for header in ("WWW-Authenticate", "Allow"):
        if header in response:
            answer[header] = response[header]
    return answer
