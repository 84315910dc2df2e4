"""Every page of the site in a real browser (issue 18, "Done when").

Each page in ``PAGES`` is visited by the role it is for (a visitor, a reader, a creator, an
operator behind two-factor authentication) at 1280 and 360 px wide, in English and in
French, on the demo data after a real payday and payout batch. On every visit:

- nothing scrolls sideways (the document is no wider than the window), and at 1280 px the
  header holds on one line;
- a French page holds none of the English words in ``ENGLISH_WORDS`` (people's own text,
  such as thing titles and names, is taken out first);
- axe-core (bundled with axe-playwright-python, no CDN) finds no violation of any impact on
  our own templates, and nothing serious or critical on the admin's and allauth's pages
  (in English at 1280 px and in French at 360 px, see ``AXE_AT``);
- a screenshot is saved under ``$CI_ARTIFACTS/screenshots/every-page/`` (default ./artifacts).

One browser, one logged-in context per role, every problem gathered and reported at once.

**Adding a page** (later issues): append a ``PageSpec`` to ``PAGES`` with its role and
path; a path that needs a row of the demo data is a function of ``Demo``. Give it
``kind="admin"`` or ``kind="allauth"`` for pages whose markup is not ours,
``status`` when it answers something other than 200, and ``translated=False`` when a
French page shows text we do not own (the admin's lists of records).
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.profiles.bios import bio_text
from flattr_clone.months import format_month, month_of, previous_month
from payouts.batches.runs import payout_batch_run
from payouts.cards.charges import charge_collect, charge_pay_start
from payouts.cards.models import Charge
from payouts.cards.providers import SandboxCards
from payouts.cards.services import card_saved, card_setup_start
from payouts.connect.services import connect_sandbox
from payouts.funding.models import TopUp
from payouts.funding.topups import topup_start
from tests.tips.dashboards.test_dashboards_in_browser import DEMO_PASSWORD, totp_code
from tips.ownership.services import thing_transfer
from tips.sites.models import OwnershipChange, Site
from tips.things.models import Thing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("CI_ARTIFACTS") or "artifacts") / "screenshots" / "every-page"
WIDTHS = (1280, 360)
LANGUAGES = ("en", "fr")
# axe-core takes a quarter of a second a page: it runs on every page in English at 1280 px and
# in French at 360 px, so each page is checked in both languages and at both widths (the
# markup is the same in both languages; the layout is the same at one width).
AXE_AT = {("en", 1280), ("fr", 360)}

# Words of our English interface that a French page must not show. Whole words, case
# sensitive: "Flattr" is the product's name in both languages.
ENGLISH_WORDS = (
    "the",
    "and",
    "your",
    "Your",
    "you",
    "You",
    "with",
    "this",
    "This",
    "month",
    "Dashboard",
    "Wallet",
    "Settings",
    "Payouts",
    "Earnings",
    "earnings",
    "History",
    "Log out",
    "Log in",
    "Sign in",
    "Sign up",
    "Save",
    "Cancel",
    "Change",
    "Password",
    "Nothing",
    "Account",
    "Home",
    "not",
    "have",
    "Skip",
)
_ENGLISH = re.compile(r"\b(" + "|".join(re.escape(word) for word in ENGLISH_WORDS) + r")\b")


@dataclasses.dataclass(frozen=True)
class Demo:
    """The rows of the demo data that pages are about."""

    thing: Thing  # one of Dana's things, flattred by Alice
    unclicked: Thing  # one of Eli's things Alice has not flattred
    topup: TopUp  # Alice's top-up waiting for payment
    site: Site  # Dana's verified site (dana.example.org), with a claimed thing in its history
    pending_site: Site  # a site Dana added and has not proved yet
    card_setup: str  # the sandbox page where Alice saves a card (a setup left open)
    charge_pay: str  # the sandbox page where Alice confirms a charge her bank wants to check
    charge_pay_id: int  # that charge


@dataclasses.dataclass(frozen=True)
class PageSpec:
    """One page to visit: who looks at it and where it is."""

    name: str
    role: str  # "anonymous", "reader" (Alice), "creator" (Dana) or "operator" (Olga)
    path: str | Callable[[Demo], str]
    kind: str = "own"  # "own" templates; "admin" or "allauth" markup is not all ours
    status: int = 200
    translated: bool = True  # False: the French page shows text we do not own
    # axe rules that do not apply, with the reason in a comment where the page is listed.
    axe_skip: tuple[str, ...] = ()
    # The embeds take their language from the URL (?lang=), not from the visitor's cookie.
    language_in_url: bool = False

    def url(self, demo: Demo, language: str = "en") -> str:
        path = self.path(demo) if callable(self.path) else self.path
        if self.language_in_url:
            path += ("&" if "?" in path else "?") + f"lang={language}"
        return path


def _consent_url() -> str:
    from oauth2_provider.models import get_application_model

    app = get_application_model().objects.get(name="Podcatcher")
    return (
        f"/oauth/authorize?response_type=code&client_id={app.client_id}"
        "&redirect_uri=https%3A%2F%2Fpodcatcher.example%2Fback&scope=flattr+email&state=s"
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    )


def _submit_link(demo: Demo) -> str:
    return (
        "/submit/?creator=dana_writes&url=https%3A%2F%2Fdana.example.org%2Fessays%2Fnew-one"
        "&title=A+new+essay"
    )


def _unsubscribe_link(demo: Demo) -> str:
    from accounts.emails import Kind, unsubscribe_url

    alice = User.objects.get(email="alice@example.com")
    return "/" + unsubscribe_url(alice, Kind.MONTHLY).split("/", 3)[-1]


PAGES: list[PageSpec] = [
    # A visitor.
    PageSpec("home", "anonymous", "/"),
    PageSpec("login", "anonymous", "/accounts/login/", kind="allauth"),
    PageSpec("signup", "anonymous", "/accounts/signup/", kind="allauth"),
    PageSpec("password-reset", "anonymous", "/accounts/password/reset/", kind="allauth"),
    PageSpec("thing-anonymous", "anonymous", lambda demo: f"/t/{demo.thing.pk}/"),
    PageSpec("profile", "anonymous", "/@dana_writes"),
    PageSpec("explore", "anonymous", "/explore/"),
    PageSpec("explore-search", "anonymous", "/explore/?q=essay&sort=new"),
    PageSpec("explore-creators", "anonymous", "/explore/?show=creators"),
    PageSpec("popup-anonymous", "anonymous", lambda demo: f"/t/{demo.thing.pk}/popup/"),
    # The widget is a fragment of another site's page (in its frame): that page has the
    # landmarks and the heading.
    PageSpec(
        "widget",
        "anonymous",
        lambda demo: f"/t/{demo.thing.pk}/widget/",
        axe_skip=("region", "landmark-one-main", "page-has-heading-one"),
        language_in_url=True,
    ),
    PageSpec("submit-link", "anonymous", _submit_link),
    # The auto-submit link opened by the embed script: the popup's own layout.
    PageSpec(
        "popup-submit",
        "anonymous",
        lambda demo: _submit_link(demo) + "&origin=https%3A%2F%2Fdana.example.org",
    ),
    # The operator's own text (the demo's is English): translated=False.
    PageSpec("terms", "anonymous", "/legal/terms/", translated=False),
    PageSpec("privacy", "anonymous", "/legal/privacy/", translated=False),
    PageSpec("unsubscribe", "anonymous", _unsubscribe_link),
    PageSpec("not-found", "anonymous", "/no-such-page/", status=404),
    PageSpec("bad-request", "anonymous", "/?q=%00", status=400),
    # A reader.
    PageSpec("home-reader", "reader", "/"),
    PageSpec("dashboard-reader", "reader", "/dashboard/"),
    PageSpec("this-month", "reader", "/month/"),
    PageSpec("history", "reader", "/history/"),
    PageSpec("subscriptions", "reader", "/subscriptions/"),
    PageSpec("wallet", "reader", "/wallet/"),
    PageSpec("topup-status", "reader", lambda demo: f"/wallet/top-up/{demo.topup.pk}/"),
    PageSpec(
        "sandbox-checkout", "reader", lambda demo: f"/wallet/sandbox/{demo.topup.session_id}/"
    ),
    PageSpec("card-sandbox", "reader", lambda demo: demo.card_setup),
    PageSpec("charge-sandbox", "reader", lambda demo: demo.charge_pay),
    PageSpec("thing-flattred", "reader", lambda demo: f"/t/{demo.thing.pk}/"),
    PageSpec("thing-to-flattr", "reader", lambda demo: f"/t/{demo.unclicked.pk}/"),
    PageSpec("popup-reader", "reader", lambda demo: f"/t/{demo.unclicked.pk}/popup/"),
    PageSpec("popup-flattred", "reader", lambda demo: f"/t/{demo.thing.pk}/popup/"),
    PageSpec("dashboard-creator-empty", "reader", "/dashboard/creator/"),
    PageSpec("my-things-empty", "reader", "/things/"),
    PageSpec("payouts-empty", "reader", "/payouts/"),
    PageSpec("settings", "reader", "/settings/"),
    PageSpec("emails", "reader", "/accounts/email/", kind="allauth"),
    PageSpec("password-change", "reader", "/accounts/password/change/", kind="allauth"),
    PageSpec("two-factor", "reader", "/accounts/2fa/", kind="allauth"),
    PageSpec("email-choices", "reader", "/settings/emails/"),
    PageSpec("leaving", "reader", "/settings/leaving/"),
    PageSpec("withdraw", "reader", "/settings/leaving/withdraw/"),
    PageSpec("close-account", "reader", "/settings/leaving/close/"),
    # A creator.
    PageSpec("dashboard-creator", "creator", "/dashboard/creator/"),
    PageSpec("my-things", "creator", "/things/"),
    PageSpec("thing-new", "creator", "/things/new/"),
    PageSpec("thing-owner", "creator", lambda demo: f"/t/{demo.thing.pk}/"),
    PageSpec("thing-edit", "creator", lambda demo: f"/t/{demo.thing.pk}/edit/"),
    PageSpec("payouts", "creator", "/payouts/"),
    PageSpec("sites", "creator", "/sites/"),
    PageSpec("site-verified", "creator", lambda demo: f"/sites/{demo.site.pk}/"),
    PageSpec("site-pending", "creator", lambda demo: f"/sites/{demo.pending_site.pk}/"),
    PageSpec("statements-creator", "creator", "/statements/"),
    PageSpec("statements-reader", "reader", "/statements/?period=" + f"{month_of():%Y-%m}"),
    PageSpec("get-paid", "creator", "/payouts/get-paid/"),
    PageSpec("profile-edit", "creator", "/settings/profile/"),
    PageSpec("profile-own", "creator", "/@dana_writes"),
    PageSpec("feeds", "creator", "/feeds/"),
    # An operator.
    PageSpec("admin-index", "operator", "/admin/", kind="admin"),
    PageSpec("admin-operations", "operator", "/admin/operations/", kind="admin"),
    PageSpec("admin-users", "operator", "/admin/accounts/user/", kind="admin", translated=False),
    PageSpec(
        "admin-user",
        "operator",
        lambda demo: f"/admin/accounts/user/{demo.thing.owner_id}/change/",
        kind="admin",
        translated=False,
    ),
    PageSpec("admin-things", "operator", "/admin/tips/thing/", kind="admin", translated=False),
    PageSpec("admin-sites", "operator", "/admin/tips/site/", kind="admin", translated=False),
    PageSpec(
        "admin-ownership-history",
        "operator",
        "/admin/tips/ownershipchange/",
        kind="admin",
        translated=False,
    ),
    PageSpec(
        "admin-thing-reassign",
        "operator",
        lambda demo: f"/admin/tips/thing/{demo.thing.pk}/reassign/",
        kind="admin",
        translated=False,
    ),
    PageSpec("admin-clicks", "operator", "/admin/tips/click/", kind="admin", translated=False),
    PageSpec(
        "admin-limits-reached",
        "operator",
        "/admin/accounts/limithit/",
        kind="admin",
        translated=False,
    ),
    PageSpec(
        "admin-payday-runs", "operator", "/admin/tips/paydayrun/", kind="admin", translated=False
    ),
    PageSpec(
        "admin-transfers", "operator", "/admin/payouts/transfer/", kind="admin", translated=False
    ),
    PageSpec(
        "admin-accounts", "operator", "/admin/payouts/account/", kind="admin", translated=False
    ),
    PageSpec(
        "admin-subscriptions",
        "operator",
        "/admin/tips/subscription/",
        kind="admin",
        translated=False,
    ),
    PageSpec("admin-top-ups", "operator", "/admin/payouts/topup/", kind="admin", translated=False),
    PageSpec("admin-payouts", "operator", "/admin/payouts/payout/", kind="admin", translated=False),
    PageSpec(
        "admin-legal-documents",
        "operator",
        "/admin/accounts/legaldocument/",
        kind="admin",
        translated=False,
    ),
    PageSpec(
        "admin-withdrawals",
        "operator",
        "/admin/payouts/withdrawal/",
        kind="admin",
        translated=False,
    ),
    PageSpec("admin-feeds", "operator", "/admin/tips/feed/", kind="admin", translated=False),
    PageSpec("admin-charges", "operator", "/admin/payouts/charge/", kind="admin", translated=False),
    PageSpec(
        "admin-charge",
        "operator",
        lambda demo: f"/admin/payouts/charge/{demo.charge_pay_id}/change/",
        kind="admin",
        translated=False,
    ),
    PageSpec(
        "admin-saved-cards", "operator", "/admin/payouts/savedcard/", kind="admin", translated=False
    ),
    # Money operations (issue 13).
    PageSpec("admin-holds", "operator", "/admin/payouts/hold/", kind="admin", translated=False),
    PageSpec(
        "admin-disputes", "operator", "/admin/payouts/dispute/", kind="admin", translated=False
    ),
    PageSpec(
        "admin-differences",
        "operator",
        "/admin/payouts/difference/",
        kind="admin",
        translated=False,
    ),
    PageSpec(
        "admin-balance-transactions",
        "operator",
        "/admin/payouts/stripebalancetransaction/",
        kind="admin",
        translated=False,
    ),
    PageSpec(
        "admin-reconciliations",
        "operator",
        "/admin/payouts/reconciliationrun/",
        kind="admin",
        translated=False,
    ),
    PageSpec(
        "admin-audit-log", "operator", "/admin/admin/logentry/", kind="admin", translated=False
    ),
    # The API (issue 16): apps, authorized apps, personal access tokens, the consent page.
    PageSpec("api-apps", "creator", "/settings/apps/"),
    PageSpec("api-tokens", "creator", "/settings/tokens/"),
    PageSpec("api-authorized", "reader", "/settings/authorized-apps/"),
    PageSpec("api-integrations", "creator", "/settings/integrations/"),
    PageSpec("oauth-consent", "reader", lambda demo: _consent_url()),
    # Not here: the API documentation (/rest/v2/schema/docs/), Swagger UI from
    # drf-spectacular-sidecar, English only like the API it documents (tests/api checks it).
]

# The logins of the roles (the demo's accounts; the operator also needs the TOTP code).
EMAILS = {
    "reader": "alice@example.com",
    "creator": "dana@example.com",
    "operator": "operator@example.com",
}


@pytest.fixture
def demo() -> tuple[Demo, str]:
    """The demo data after last month's payday and a payout batch, an operator with TOTP and
    a top-up left waiting; returns the rows and the operator's TOTP secret."""
    call_command("seed_demo", stdout=io.StringIO())
    call_command("payday", month=format_month(previous_month(month_of())), stdout=io.StringIO())
    dana = User.objects.get(email="dana@example.com")
    connect_sandbox(user=dana)
    payout_batch_run(trigger="manual")
    alice = User.objects.get(email="alice@example.com")
    topup, _url = topup_start(user=alice, amount_cents=2500)
    # Saved cards: a card whose bank asks for authentication, an automatic top-up charged to
    # it (so a notice shows on every page of Alice's), its payment page, a setup left open.
    card = card_saved(
        setup=card_setup_start(user=alice, consent=True)[0],
        card=SandboxCards.card_details("4000002760003184"),
    )
    charge = Charge.objects.create(
        user=alice,
        kind=Charge.Kind.TOP_UP,
        month=previous_month(month_of()),
        amount_cents=2500,
        currency=settings.PLATFORM_CURRENCY,
        provider=card.provider,
        card=card,
    )
    charge_collect(charge.pk)
    charge.refresh_from_db()
    charge_pay = charge_pay_start(user=alice, charge_id=charge.pk, token=charge.action_token)
    _setup, card_setup = card_setup_start(user=alice, consent=True)
    secret = generate_totp_secret()
    TOTP.activate(User.objects.get(email="operator@example.com"), secret)
    flattred = Thing.objects.filter(owner=dana, clicks__reader=alice).first()
    eli = User.objects.get(email="eli@example.com")
    unclicked = Thing.objects.create(
        owner=eli, url="https://code.example.net/eli/unclicked", title="Eli's newest tool"
    )
    assert flattred is not None
    # Dana's site, verified as a check would (the check itself is tested against real
    # servers in tests/tips/sites); a page of it that Eli had registered comes to her.
    site = Site.objects.create(
        owner=dana,
        host="dana.example.org",
        status=Site.Status.VERIFIED,
        method=Site.Method.META,
        verified_at=timezone.now(),
        last_checked_at=timezone.now(),
        last_result={"file": "none", "meta": "ok"},
    )
    pending_site = Site.objects.create(
        owner=dana, host="blog.example.com", last_result={"file": "missing", "meta": "none"}
    )
    copied = Thing.objects.create(
        owner=eli, url="https://dana.example.org/essays/copied", title="A copied essay"
    )
    thing_transfer(thing=copied, to_owner=dana, reason=OwnershipChange.Reason.CLAIM, site=site)
    Thing.objects.create(
        owner=dana,
        url="https://elsewhere.example/fan-page",
        title="A fan page",
        awaiting_owner=True,
    )
    _api_demo(dana, alice)
    demo = Demo(
        thing=flattred,
        unclicked=unclicked,
        topup=topup,
        site=site,
        pending_site=pending_site,
        card_setup=card_setup,
        charge_pay=charge_pay,
        charge_pay_id=charge.pk,
    )
    return demo, secret


def _api_demo(dana, alice) -> None:
    """Dana's app, which Alice allowed, and one of Dana's personal access tokens."""
    import datetime as dt

    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from api.services import application_register, personal_token_create

    app = application_register(
        user=dana,
        name="Podcatcher",
        redirect_uris="https://podcatcher.example/back",
        confidential=False,
    ).application
    AccessToken.objects.create(
        user=alice,
        application=app,
        token="demo-token",
        scope="flattr email",
        expires=timezone.now() + dt.timedelta(days=1),
    )
    personal_token_create(user=dana, name="Backup script", scopes=["thing"])
    from api.models import WebhookDelivery, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(
        user=dana, url="https://dana.example.org/hooks/flattr", secret="whsec_demo"
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id="evt_demo_1",
        event_type="flattr.created",
        payload={},
        status=WebhookDelivery.Status.DELIVERED,
        attempts=2,
        last_status_code=200,
    )


def _people_text() -> list[str]:
    """What people wrote (titles, names, handles, URLs): not ours to translate."""
    texts = set()
    for title, url, description, tags in Thing.objects.values_list(
        "title", "url", "description", "tags"
    ):
        texts.update({title, url, description, tags})
    for name, handle, email, bio, links in User.objects.values_list(
        "display_name", "handle", "email", "bio", "links"
    ):
        texts.update({name, handle, email, bio_text(bio, limit=10_000)})
        texts.update(link.removeprefix("https://").removeprefix("http://") for link in links)
    texts.update({"A new essay", "https://dana.example.org/essays/new-one"})
    texts.update({"Podcatcher", "Backup script", "https://dana.example.org/hooks/flattr"})
    return sorted((text for text in texts if text), key=len, reverse=True)


def _log_in(context, base_url: str, role: str, secret: str) -> None:
    page = context.new_page()
    page.goto(base_url + "/accounts/login/")
    page.locator('input[name="login"]').fill(EMAILS[role])
    page.locator('input[name="password"]').fill(DEMO_PASSWORD)
    page.locator('form button[type="submit"]').last.click()
    page.wait_for_load_state()
    if role == "operator":
        page.locator('input[name="code"]').fill(totp_code(secret))
        page.locator('input[name="code"]').press("Enter")
        page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{role} could not log in"
    page.close()


def _problems_on(page, spec: PageSpec, language: str, width: int, people) -> list[str]:
    where = f"{spec.name} ({language}, {width} px)"
    problems = []
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        wide = page.evaluate(
            """() => { const w = document.documentElement.clientWidth;
              return [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > w + 1)
                .slice(-3).map(e => e.tagName.toLowerCase() + '.' + e.className).join(', '); }"""
        )
        problems.append(f"{where}: scrolls sideways by {overflow} px ({wide})")
    header = page.evaluate(
        "document.querySelector('.header-inner')?.getBoundingClientRect().height || 0"
    )
    if width >= 1280 and header > 80:
        problems.append(f"{where}: the header takes {header:.0f} px: it wraps to a second line")
    if language == "fr" and spec.translated:
        text = page.evaluate("document.body.innerText + ' ' + document.title")
        for own in people:
            text = text.replace(own, " ")
        english = sorted(set(_ENGLISH.findall(text)))
        if english:
            problems.append(f"{where}: English words on the French page: {english}")
    violations = []
    if (language, width) in AXE_AT:
        violations = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    serious_only = spec.kind != "own"
    for violation in violations:
        if violation["id"] in spec.axe_skip:
            continue
        if serious_only and violation["impact"] not in ("serious", "critical"):
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        problems.append(
            f"{where}: axe {violation['impact']} {violation['id']}: {violation['help']} {targets}"
        )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{spec.name}-{language}-{width}.png"), full_page=True)
    return problems


def _selected(spec: PageSpec) -> bool:
    """``EVERY_PAGE_ONLY=popup,widget`` visits only the pages whose names start so (a
    developer checking their own pages); unset, every page."""
    only = [name for name in os.environ.get("EVERY_PAGE_ONLY", "").split(",") if name]
    return not only or any(spec.name.startswith(name) for name in only)


def test_every_page_fits_speaks_french_and_passes_axe(live_server, browser, demo):
    from axe_playwright_python.sync_playwright import Axe

    rows, secret = demo
    axe_script = Axe().axe_script
    people = _people_text()
    problems: list[str] = []
    for role in ("anonymous", "reader", "creator", "operator"):
        specs = [spec for spec in PAGES if spec.role == role and _selected(spec)]
        context = browser.new_context(locale="en-US", viewport={"width": WIDTHS[0], "height": 900})
        # axe-core in every page the context opens, sent to the browser once.
        context.add_init_script(axe_script)
        if role != "anonymous":
            _log_in(context, live_server.url, role, secret)
        page = context.new_page()
        page.set_default_timeout(15_000)
        for language in LANGUAGES:
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                for spec in specs:
                    response = page.goto(live_server.url + spec.url(rows, language))
                    if response is None or response.status != spec.status:
                        status = response.status if response else None
                        problems.append(f"{spec.name}: answered {status}, not {spec.status}")
                        continue
                    lang = page.locator("html").get_attribute("lang")
                    if lang != language:
                        problems.append(f"{spec.name}: a page in {lang!r}, not {language!r}")
                        continue
                    problems += _problems_on(page, spec, language, width, people)
        context.close()
    assert not problems, "\n".join(problems)
