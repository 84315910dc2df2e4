from django.conf import settings


def platform(request):
    """Values every template may need."""
    return {
        "PLATFORM_CURRENCY": settings.PLATFORM_CURRENCY,
        "PAYMENTS_SANDBOX": settings.PAYMENTS_SANDBOX,
        "SITE_URL": settings.SITE_URL,
        "SITE_NAME": settings.SITE_NAME,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
    }
