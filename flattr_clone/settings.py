"""Settings for the platform, read from the environment.

With no environment at all the app is an *embedded demo*: SQLite, a local
memory cache, Celery tasks run eagerly, e-mail printed on the console and the
offline payment sandbox. Setting ``SECRET_KEY`` switches to production mode,
where everything insecure is off and the sandbox cannot be enabled.
``DATABASE_URL``, ``REDIS_URL``, ``STRIPE_*`` and ``EMAIL_URL`` plug in the
real parts. The README lists every variable.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# --- Mode -------------------------------------------------------------------
# Production is "a secret key was given". Without it we are the embedded demo.
_secret_key = env.str("SECRET_KEY", default="")
EMBEDDED = not _secret_key
SECRET_KEY = _secret_key or "django-insecure-embedded-demo-key-never-use-in-production"
DEBUG = env.bool("DEBUG", default=EMBEDDED)

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=["127.0.0.1", "localhost", "[::1]", "testserver"] if EMBEDDED else [],
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The public base URL of the platform, used in embed codes, e-mails and Stripe
# return URLs. Embeds must name an absolute origin.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The platform's name, in the header, page titles, e-mails (sender, subjects, greetings),
# authenticator apps and the admin: people know the site by it, not by its host.
SITE_NAME = env.str("SITE_NAME", default="Flattr clone")

# --- Applications -----------------------------------------------------------
INSTALLED_APPS = [
    # The admin with our site class: staff must use two-factor authentication.
    "accounts.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "corsheaders",
    # The layers, bottom to top (README, Architecture): flattr_clone has no models, only
    # shared pieces such as the money template tags.
    "flattr_clone",
    "accounts",
    "payouts",
    "tips",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The badge and the widget, answered from the cache before any session, user, message
    # or CSRF work: they read nothing of the visitor (tips.embeds.representations).
    "tips.embeds.representations.EmbedMiddleware",
    # Before CommonMiddleware: the API's anonymous GETs may be read from any origin.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # frame-ancestors 'none' on every page but the embed widget (flattr_clone.middleware).
    "flattr_clone.middleware.FrameAncestorsMiddleware",
    # The popup keeps window.opener while the reader logs in inside it (tips.embeds.popupflow).
    "tips.embeds.popupflow.PopupFlowMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A clear 503 on allauth's pages when the cache (their rate limits) is unreachable.
    "accounts.middleware.SignInNeedsCacheMiddleware",
    # New terms or privacy policy published: accept them before any other page.
    "accounts.middleware.NewTermsMiddleware",
    # 400 for control characters (NUL...) in the path, query or form body, before any view
    # runs (flattr_clone.control_characters). Last, so its page is localised and framed
    # like every other.
    "flattr_clone.control_characters.ControlCharactersMiddleware",
]

ROOT_URLCONF = "flattr_clone.urls"
WSGI_APPLICATION = "flattr_clone.wsgi.application"
ASGI_APPLICATION = "flattr_clone.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "flattr_clone.context_processors.platform",
                "payouts.cards.context.charge_notices",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if EMBEDDED else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Waiting for a lock beats failing with "database is locked" in the demo.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "flattr_clone.redis_cache.ReusedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="flattr"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = env.str("TIME_ZONE", default="UTC")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every module that defines tasks, imported by workers and beat at start. A domain's
# ``tasks`` module holds its per-item tasks, ``jobs`` the tasks that start a whole run.
CELERY_IMPORTS = [
    "payouts.ledger.tasks",
    "payouts.funding.tasks",
    "payouts.cards.tasks",
    "payouts.batches.tasks",
    "payouts.batches.jobs",
    "payouts.withdrawals.tasks",
    "tips.leaving.tasks",
    "payouts.reconciliation.tasks",
    "tips.payday.tasks",
    "tips.payday.jobs",
    "tips.emails.tasks",
    "tips.subscriptions.tasks",
    "tips.subscriptions.jobs",
    "tips.feeds.tasks",
    "tips.feeds.jobs",
    "tips.ownership.tasks",
    "api.webhooks",
]
# Periodic jobs for `celery beat`; each feature adds its entries here.
CELERY_BEAT_SCHEDULE: dict = {}

# --- Accounts and authentication --------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's backends, with the signed-in user read by a prepared query.
AUTHENTICATION_BACKENDS = [
    "accounts.auth_backends.ModelBackend",
    "accounts.auth_backends.AuthenticationBackend",
]
# Sessions signed in before under these backend paths are read as signed in by the second
# (flattr_clone.sessions): nobody is signed out when a backend moves.
SESSION_BACKEND_ALIASES = {
    "django.contrib.auth.backends.ModelBackend": "accounts.auth_backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": (
        "accounts.auth_backends.AuthenticationBackend"
    ),
}
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = env.str("EMAIL_SUBJECT_PREFIX", default=f"[{SITE_NAME}] ")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if EMBEDDED else "https"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_SIGNUP_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
# allauth's own rate limits (per IP and per key); kept explicit so operators see them.
# Their IP is the client's behind TRUSTED_PROXY_COUNT proxies (accounts.adapter), and they
# live in the cache: while it is down, sign-in pages answer 503 (accounts.middleware).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default=SITE_NAME)
MFA_RECOVERY_CODE_COUNT = 10
# Staff cannot use the admin before they activate an authenticator app
# (accounts.admin_site.PlatformAdminSite); the admin login is allauth's.

# --- E-mail -----------------------------------------------------------------
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where users write to the operators: the footer's "Contact" link and every suspension notice.
# Empty: no address is shown. SUPPORT_EMAIL is its first name, still read.
# The operators: money alerts (docs/PRODUCT.md, Alerts) are e-mailed to them at once.
# ADMINS="ops@example.org,cfo@example.org"
ADMINS = [(address, address) for address in env.list("ADMINS", default=[])]
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default=env.str("SUPPORT_EMAIL", default=""))

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if EMBEDDED
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = EMBEDDED

# --- Security ---------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read by a query compiled once per process (flattr_clone.sessions).
SESSION_ENGINE = "flattr_clone.sessions"
# How many reverse proxies in front of the app append to X-Forwarded-For: the client is the
# entry that many hops from its right (flattr_clone.ratelimit.client_ip). 0 ignores the
# header: right for the demo and for a site reached directly, wrong behind a proxy (every
# request would share the proxy's address in per-IP limits).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# allauth reads its own name; our adapter answers allauth with client_ip all the same.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
if not EMBEDDED:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The language switcher's cookie: only over HTTPS, not readable by scripts (none reads
    # it), not sent on cross-site subrequests.
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_HTTPONLY = True
    LANGUAGE_COOKIE_SAMESITE = "Lax"
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preload consent is what `check --deploy` expects; set False (and silence
    # security.W021) for a domain that must stay off the browsers' preload list.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's default config gives "django" a console handler of its own (in DEBUG) that
        # also propagates to ours: every line would be printed twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Money (docs/PRODUCT.md, Money) ----------------------------------------------
# Every amount is integer cents of this one currency.
PLATFORM_CURRENCY = env.str("PLATFORM_CURRENCY", default="EUR").upper()
COMMISSION_RATE_BASIS_POINTS = env.int("COMMISSION_RATE_BASIS_POINTS", default=1000)
BUDGET_MIN_CENTS = env.int("BUDGET_MIN_CENTS", default=200)
BUDGET_MAX_CENTS = env.int("BUDGET_MAX_CENTS", default=10000)
TOP_UP_MIN_CENTS = env.int("TOP_UP_MIN_CENTS", default=500)
TOP_UP_MAX_CENTS = env.int("TOP_UP_MAX_CENTS", default=50000)
# An unpaid top-up's payment page closes after this many minutes (Stripe accepts 30 to 1440);
# the top-up is then "expired" and the reader can start it again.
TOP_UP_EXPIRY_MINUTES = env.int("TOP_UP_EXPIRY_MINUTES", default=60)
TOP_UP_PRESETS_CENTS = [
    int(v) for v in env.list("TOP_UP_PRESETS_CENTS", default=[1000, 2500, 5000])
]
PAYOUT_MINIMUM_CENTS = env.int("PAYOUT_MINIMUM_CENTS", default=1000)
PAYOUT_FAILURES_BEFORE_FLAG = env.int("PAYOUT_FAILURES_BEFORE_FLAG", default=3)
# The badge's and widget's cache policy (README, Embeds): browsers and CDNs keep them this
# long (max-age and s-maxage), then may show the old one once more while they revalidate;
# each web process keeps its copy EMBED_LOCAL_CACHE_SECONDS in front of the shared cache
# (of the current terms' ids too: accounts.legal).
EMBED_MAX_AGE_SECONDS = env.int("EMBED_MAX_AGE_SECONDS", default=30)
EMBED_STALE_SECONDS = env.int("EMBED_STALE_SECONDS", default=30)
EMBED_LOCAL_CACHE_SECONDS = env.int("EMBED_LOCAL_CACHE_SECONDS", default=2)
# Holds (docs/PRODUCT.md, Holds): what a risky card payment funds is held this many days
# (card disputes can come up to 120 days later). Risky: the reader's account was younger
# than HOLD_NEW_ACCOUNT_DAYS or had fewer than HOLD_MIN_EARLIER_PAYMENTS paid top-ups.
HOLD_DAYS = env.int("HOLD_DAYS", default=60)
HOLD_NEW_ACCOUNT_DAYS = env.int("HOLD_NEW_ACCOUNT_DAYS", default=30)
HOLD_MIN_EARLIER_PAYMENTS = env.int("HOLD_MIN_EARLIER_PAYMENTS", default=2)
# A creator's first payout waits this many days after their payment account was opened
# (docs/PRODUCT.md, First payouts); 0 in the demo, so its payout batch pays at once.
FIRST_PAYOUT_DELAY_DAYS = env.int("FIRST_PAYOUT_DELAY_DAYS", default=0 if EMBEDDED else 7)
# Creators with earnings and no payment account that can receive money after this many days
# are listed for operators as "cannot be paid" (docs/PRODUCT.md, Creators who cannot be paid).
UNPAID_CREATOR_DAYS = env.int("UNPAID_CREATOR_DAYS", default=90)
# A creator whose earnings since their last payout come at least this share (percent) from
# new accounts (HOLD_NEW_ACCOUNT_DAYS) paying with one card is flagged for review before payout.
VELOCITY_REVIEW_PERCENT = env.int("VELOCITY_REVIEW_PERCENT", default=50)
# The operators are e-mailed when a day's new losses exceed this (docs/PRODUCT.md, Alerts).
LOSS_ALERT_CENTS = env.int("LOSS_ALERT_CENTS", default=10000)
CLICK_RATE_LIMIT_PER_HOUR = env.int("CLICK_RATE_LIMIT_PER_HOUR", default=100)
# Velocity limits (docs/PRODUCT.md, First payouts and velocity; accounts.limits): counted
# in the cache by the shared limiter, each limit reached is listed in the admin.
# An account is "new" for these limits during its first VELOCITY_NEW_ACCOUNT_DAYS days.
VELOCITY_NEW_ACCOUNT_DAYS = env.int("VELOCITY_NEW_ACCOUNT_DAYS", default=7)
CLICK_RATE_LIMIT_PER_HOUR_NEW_ACCOUNT = env.int("CLICK_RATE_LIMIT_PER_HOUR_NEW_ACCOUNT", default=30)
SIGNUP_PER_IP_PER_HOUR = env.int("SIGNUP_PER_IP_PER_HOUR", default=10)
SIGNUP_PER_IP_PER_DAY = env.int("SIGNUP_PER_IP_PER_DAY", default=30)
TOP_UP_PER_IP_PER_DAY = env.int("TOP_UP_PER_IP_PER_DAY", default=30)
TOP_UP_NEW_ACCOUNT_PER_DAY = env.int("TOP_UP_NEW_ACCOUNT_PER_DAY", default=3)
TOP_UP_NEW_ACCOUNT_MAX_CENTS = env.int("TOP_UP_NEW_ACCOUNT_MAX_CENTS", default=20000)
# A card that paid top-ups of CARD_MAX_ACCOUNTS other accounts in CARD_ACCOUNTS_WINDOW_DAYS:
# its next payments for another account are held HOLD_DAYS (0 turns this off).
CARD_MAX_ACCOUNTS = env.int("CARD_MAX_ACCOUNTS", default=3)
CARD_ACCOUNTS_WINDOW_DAYS = env.int("CARD_ACCOUNTS_WINDOW_DAYS", default=30)
# Per-user hourly throttles on writes (flattr_clone.ratelimit); over them: a 429 page.
TOP_UP_RATE_LIMIT_PER_HOUR = env.int("TOP_UP_RATE_LIMIT_PER_HOUR", default=10)
BUDGET_CHANGE_RATE_LIMIT_PER_HOUR = env.int("BUDGET_CHANGE_RATE_LIMIT_PER_HOUR", default=20)
THING_CREATE_RATE_LIMIT_PER_HOUR = env.int("THING_CREATE_RATE_LIMIT_PER_HOUR", default=60)
# Onboarding, refresh and Express dashboard links: each one is a call to Stripe.
CONNECT_LINK_RATE_LIMIT_PER_HOUR = env.int("CONNECT_LINK_RATE_LIMIT_PER_HOUR", default=20)
# Readers per payday chunk (one transaction, one Celery task). Each chunk locks and updates
# the earnings of every creator its readers clicked, so larger chunks cost less in total:
# at 1M clicks, 2000 gave payday/floor 2.08 and 10000 gave 1.48 (bench/README.md).
PAYDAY_CHUNK_SIZE = env.int("PAYDAY_CHUNK_SIZE", default=10000)
# Payday for the previous month runs on the 1st at this hour:minute (TIME_ZONE).
PAYDAY_HOUR = env.int("PAYDAY_HOUR", default=2)
PAYDAY_MINUTE = env.int("PAYDAY_MINUTE", default=0)
# Celery tasks (dotted paths) enqueued once a payday run is done, each called with
# month="YYYY-MM", in this order: the monthly e-mails first, so that a creator reads the
# summary of the month before the "payout on its way" e-mail that pays it.
PAYDAY_FOLLOW_UP_TASKS: list[str] = [
    "payouts.cards.tasks.charges_after_payday",
    "tips.emails.tasks.send_monthly_emails",
    "payouts.batches.jobs.payout_batch_after_payday",
]
# Monthly summary e-mails are sent by tasks of this many recipients each.
MONTHLY_EMAIL_BATCH_SIZE = env.int("MONTHLY_EMAIL_BATCH_SIZE", default=200)
CELERY_BEAT_SCHEDULE["payday-previous-month"] = {
    "task": "tips.tasks.payday_previous_month",
    "schedule": crontab(day_of_month="1", hour=str(PAYDAY_HOUR), minute=str(PAYDAY_MINUTE)),
}
# Subscriptions per chunk of the monthly subscription run (one transaction, one Celery task).
SUBSCRIPTION_CHUNK_SIZE = env.int("SUBSCRIPTION_CHUNK_SIZE", default=1000)
# Celery tasks (dotted paths) enqueued once a month's subscription run is done, each called
# with month="YYYY-MM": the notices telling readers what their subscriptions could not do.
SUBSCRIPTIONS_FOLLOW_UP_TASKS: list[str] = ["tips.emails.tasks.send_subscription_notices"]
# Subscriptions flattr on the 1st (TIME_ZONE, like every month). Beat asks every hour of that
# day: the first run (00:05) makes the clicks, later ones resume a run that crashed.
CELERY_BEAT_SCHEDULE["subscriptions-first-of-month"] = {
    "task": "tips.subscriptions.jobs.subscriptions_this_month",
    "schedule": crontab(day_of_month="1", hour="*", minute="5"),
}
# Unpaid top-ups whose payment page has closed are marked expired (payouts.funding.tasks).
CELERY_BEAT_SCHEDULE["expire-stale-top-ups"] = {
    "task": "payouts.tasks.expire_stale_top_ups",
    "schedule": 15 * 60,  # seconds
}
# Holds whose date has passed are released, daily (payouts.funding.holds).
CELERY_BEAT_SCHEDULE["release-due-holds"] = {
    "task": "payouts.tasks.release_due_holds",
    "schedule": crontab(hour="1", minute="30"),
}
# Reconciliation with Stripe of the day before, daily (payouts.reconciliation).
CELERY_BEAT_SCHEDULE["reconcile-daily"] = {
    "task": "payouts.tasks.reconcile_yesterday",
    "schedule": crontab(hour="4", minute="15"),
}
# The ledger self-check, hourly; a failure is logged CRITICAL (payouts.tasks.check_ledger).
CELERY_BEAT_SCHEDULE["check-ledger-hourly"] = {
    "task": "payouts.tasks.check_ledger",
    "schedule": 60 * 60,  # seconds
}

# Leaving (PRODUCT.md, "Leaving"): refunds of withdrawals left behind are asked again, closings
# that waited for a payday are finished, expired data exports are deleted.
CELERY_BEAT_SCHEDULE["resend-withdrawals"] = {
    "task": "payouts.withdrawals.tasks.resend_withdrawals",
    "schedule": 15 * 60,  # seconds
}
CELERY_BEAT_SCHEDULE["finish-closings"] = {
    "task": "tips.leaving.tasks.finish_waiting_closings",
    "schedule": 60 * 60,  # seconds
}
CELERY_BEAT_SCHEDULE["delete-expired-exports"] = {
    "task": "tips.leaving.tasks.delete_expired_exports",
    "schedule": 60 * 60,  # seconds
}
# How long a data export's download link works.
EXPORT_LINK_HOURS = env.int("EXPORT_LINK_HOURS", default=72)
# How long a closed creator's earnings that could not be paid out are kept for them to claim.
CLOSED_EARNINGS_KEEP_DAYS = env.int("CLOSED_EARNINGS_KEEP_DAYS", default=365)

# --- Fetching user-given URLs (flattr_clone.fetcher) ------------------------
# Site checks, feeds and webhooks fetch only through flattr_clone.fetcher (SSRF-safe).
FETCHER_TIMEOUT = env.float("FETCHER_TIMEOUT", default=5.0)  # seconds per network step
FETCHER_MAX_BYTES = env.int("FETCHER_MAX_BYTES", default=1024 * 1024)
FETCHER_MAX_REDIRECTS = 3
FETCHER_USER_AGENT = f"{SITE_NAME} (+{SITE_URL})"
# Test-only, never from the environment: host names that may resolve to loopback, host names
# resolved to a fixed address instead of DNS, an extra certificate authority.
FETCHER_ALLOW_LOOPBACK_HOSTS: list[str] = []
FETCHER_TEST_RESOLVE: dict[str, str] = {}
FETCHER_CA_FILE: str | None = None

# Verified sites (docs/PRODUCT.md, Ownership): a site whose check fails stays verified this
# many days, then lapses. Checked again daily (tips.ownership.tasks, hourly beat entry).
SITE_VERIFICATION_GRACE_DAYS = env.int("SITE_VERIFICATION_GRACE_DAYS", default=14)
CELERY_BEAT_SCHEDULE["recheck-verified-sites"] = {
    "task": "tips.ownership.tasks.recheck_verified_sites",
    "schedule": 60 * 60,  # seconds; each site is due a day after its last check
}
# The file and meta-tag checks use HTTPS with a verified certificate; only the embedded demo
# (and the test suite) may also try plain http, e.g. for a creator's site on a laptop.
SITE_CHECKS_ALLOW_HTTP = EMBEDDED
# Test-only: DNS servers [(address, port)] for the TXT check instead of the system's.
SITES_DNS_NAMESERVERS: list[tuple[str, int]] = []

# --- Saved cards (docs/PRODUCT.md, Funding) ----------------------------------
# Operators can switch "pay after the month" off: readers in it are told and moved back to
# prepaid after the next payday; their pending charges still complete.
PAY_AFTER_MONTH_ENABLED = env.bool("PAY_AFTER_MONTH_ENABLED", default=True)
# The smallest charge to a card (card fees): budgets of readers who pay after the month start here.
CHARGE_MINIMUM_CENTS = env.int("CHARGE_MINIMUM_CENTS", default=500)
# A declined charge is tried again after these many days (counted from each decline); after
# the last one it is not collected.
CHARGE_RETRY_DAYS = [int(v) for v in env.list("CHARGE_RETRY_DAYS", default=[1, 3, 7])]
# Readers who pay after the month are told what will be charged this many days before payday.
PAY_AFTER_NOTICE_DAYS = env.int("PAY_AFTER_NOTICE_DAYS", default=3)
CELERY_BEAT_SCHEDULE["charges-due"] = {
    "task": "payouts.tasks.charges_due",
    "schedule": 15 * 60,  # seconds
}
CELERY_BEAT_SCHEDULE["upcoming-charge-notices"] = {
    "task": "tips.tasks.upcoming_charge_notices",
    "schedule": crontab(hour="9", minute="0"),
}

# --- Payment provider -------------------------------------------------------
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_CONNECT_WEBHOOK_SECRET = env.str("STRIPE_CONNECT_WEBHOOK_SECRET", default="")
# Where the stripe library sends requests: a Stripe-compatible server instead of Stripe's
# (stripe-mock, or the test suite's local fake). Unset in production.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
STRIPE_TIMEOUT_SECONDS = env.int("STRIPE_TIMEOUT_SECONDS", default=20)
# The offline sandbox is the demo's provider. It exists only in embedded mode:
# a production deployment (SECRET_KEY set) can never turn it on.
PAYMENTS_SANDBOX = EMBEDDED and not STRIPE_SECRET_KEY
# Without STRIPE_SECRET_KEY in production, the web process warns once at start
# (flattr_clone.wsgi); commands and workers stay quiet.

# --- Profiles, catalogue and feeds (issue 17) -------------------------------
# Avatars: the upload's size in bytes, its pixels (checked before decoding: no
# decompression bomb), the square's edge after re-encoding.
AVATAR_MAX_BYTES = env.int("AVATAR_MAX_BYTES", default=2 * 1024 * 1024)
AVATAR_MAX_PIXELS = env.int("AVATAR_MAX_PIXELS", default=25_000_000)
AVATAR_SIZE = 256
# Things per page of /explore/.
EXPLORE_PAGE_SIZE = 24
# Feeds (tips.feeds): how often a feed is polled, how long it waits after errors (doubling
# up to the maximum), the largest feed read, how long a fetch may take, entries per poll.
FEED_POLL_MINUTES = env.int("FEED_POLL_MINUTES", default=60)
FEED_BACKOFF_MAX_HOURS = env.int("FEED_BACKOFF_MAX_HOURS", default=48)
FEED_MAX_BYTES = env.int("FEED_MAX_BYTES", default=2 * 1024 * 1024)
FEED_TIMEOUT_SECONDS = env.int("FEED_TIMEOUT_SECONDS", default=10)
FEED_MAX_ENTRIES_PER_POLL = 50
FEEDS_PER_CREATOR = 10
CELERY_BEAT_SCHEDULE["poll-due-feeds"] = {
    "task": "tips.feeds.jobs.poll_due_feeds",
    "schedule": 5 * 60,  # seconds; each feed is polled when its next_poll_at has come
}


# --- The Flattr API v2 and OAuth 2 (README, "API"; docs/API-V2.md) ------------
def _pkce_required(client_id: str) -> bool:
    """PKCE is required of public clients; optional for confidential ones, since clients
    written before PKCE existed do not send it (docs/API-V2.md, Authentication)."""
    from oauth2_provider.models import get_application_model  # late: apps load after settings

    Application = get_application_model()
    return not Application.objects.filter(
        client_id=client_id, client_type=Application.CLIENT_CONFIDENTIAL
    ).exists()


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.BearerAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Flattr API v2",
    "DESCRIPTION": "Flattr's REST API v2, served compatibly (docs/API-V2.md).",
    "VERSION": "2",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/rest/v2",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.thing_or_things",
    ],
}
OAUTH2_PROVIDER = {
    "SCOPES": {
        "flattr": "flattr",
        "thing": "thing",
        "email": "email",
        "extendedread": "extendedread",
    },
    "DEFAULT_SCOPES": ["flattr"],
    "SCOPES_BACKEND_CLASS": "api.scopes.FlattrScopes",
    # PKCE: required for public clients, optional for confidential ones (API-V2.md).
    "PKCE_REQUIRED": _pkce_required,
    "OAUTH2_BACKEND_CLASS": "api.oauth.FormOrJSONOAuthLibCore",
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600 * 24 * 30,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 3600 * 24 * 365,
    "ROTATE_REFRESH_TOKEN": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if EMBEDDED or DEBUG else ["https"],
    # RFC 9700 (OAuth 2.0 Security BCP): no implicit or password grant, PKCE only with S256,
    # tokens only in the Authorization header, `iss` in the authorization response, tokens
    # stored hashed, a replayed refresh token revokes its whole family.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
CORS_URLS_REGEX = r"^/rest/v2/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "OPTIONS"]
CORS_EXPOSE_HEADERS = [
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Current",
    "X-RateLimit-Reset",
]
# API calls an hour, per token (or personal access token) and per IP for anonymous calls.
API_RATE_LIMIT_PER_HOUR = env.int("API_RATE_LIMIT_PER_HOUR", default=1000)
API_ANONYMOUS_RATE_LIMIT_PER_HOUR = env.int("API_ANONYMOUS_RATE_LIMIT_PER_HOUR", default=300)
