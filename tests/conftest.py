import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from flattr_clone.cache import forget_local_copies
from flattr_clone.celery import app as celery_app

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); SQLite serialises writers")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _celery_runs_eagerly():
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user on this hardware; the tests are about our code.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, whatever an earlier test activated."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # The embeds' per-process copy (a couple of seconds in production) would hide from a test
    # what its own request just changed; tests/tips/embeds/test_embed_caching.py covers it.
    settings.EMBED_LOCAL_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()
    forget_local_copies()  # this process's copies too, should a test have kept one


@pytest.fixture(autouse=True)
def _ledger_stays_consistent(request):
    """After every test that touched the database, the ledger invariants still hold."""
    yield
    uses_db = {"db", "transactional_db", "live_server", "django_db_setup"} & set(
        request.fixturenames
    ) or request.node.get_closest_marker("django_db")
    if not uses_db or request.node.get_closest_marker("ledger_broken"):
        return
    from payouts.ledger.checks import ledger_check

    report = ledger_check(record=False)
    assert report.ok, f"ledger invariants broken after the test: {report.as_dict()}"


@pytest.fixture
def fake_stripe(settings):
    """The local fake Stripe server, with the platform configured to use it."""
    from tests.fake_stripe import FakeStripe

    server = FakeStripe().start()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_platform"
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = "whsec_test_connect"
    settings.STRIPE_API_BASE = server.url
    settings.PAYMENTS_SANDBOX = False
    yield server
    server.stop()


@pytest.fixture
def payments_sandbox(settings):
    """The offline payment sandbox, with no Stripe key: the demo's way of paying."""
    settings.PAYMENTS_SANDBOX = True
    settings.STRIPE_SECRET_KEY = ""


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by
    # tests between browser steps are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def loopback_sites(settings):
    """Let the fetcher reach loopback test servers under real-looking names.

    ``loopback_sites("dana.example", "blog.dana.example")`` resolves those names to 127.0.0.1
    and allows loopback for them (test-only settings of flattr_clone.fetcher).
    """
    settings.FETCHER_TEST_RESOLVE = {}
    settings.FETCHER_ALLOW_LOOPBACK_HOSTS = []

    def allow(*hosts: str, address: str = "127.0.0.1"):
        for host in hosts:
            settings.FETCHER_TEST_RESOLVE = {**settings.FETCHER_TEST_RESOLVE, host: address}
            settings.FETCHER_ALLOW_LOOPBACK_HOSTS = [*settings.FETCHER_ALLOW_LOOPBACK_HOSTS, host]

    return allow


@pytest.fixture
def local_http():
    """A real HTTP server on loopback (tests/local_http.py)."""
    from tests.local_http import LocalHTTPServer

    server = LocalHTTPServer().start()
    yield server
    server.stop()
