"""Settings, read from the environment so one build runs anywhere.

Every value a deployment may change is a `CME_*` variable (or `DATABASE_URL`, `PORT`). The defaults
give a working embedded service: SQLite in `var/`, a file cache, console email.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CME_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    """A per-checkout key kept in var/, so the embedded service needs no set-up and no shared secret."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("CME_SECRET_KEY") or _local_secret_key()
DEBUG = env_flag("CME_DEBUG")
ALLOWED_HOSTS = env_list("CME_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CME_CSRF_TRUSTED_ORIGINS")

# Demo mode: fictional data, and demo accounts may sign in without a second factor.
CME_DEMO = env_flag("CME_DEMO")
CME_SERVICE_NAME = "Children missing education"
CME_PHASE = os.environ.get("CME_PHASE", "Beta")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "csp",
    "cme.core",
    "cme.accounts",
    "cme.registers",
    "cme.children",
    "cme.cases",
    "cme.intake",
    "cme.returns",
    "cme.api",
    "cme.transfers",
    "cme.matching",
    "cme.reports",
    "cme.lpd",
    "cme.provision",
    "cme.panels",
    "cme.enquiries",
]

MIDDLEWARE = [
    "cme.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "cme.core.middleware.SessionLimitMiddleware",
    "cme.accounts.middleware.MembershipMiddleware",
    "cme.accounts.middleware.RequireSecondFactorMiddleware",
    "cme.core.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cme.urls"
WSGI_APPLICATION = "cme.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cme" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cme.core.context_processors.service",
            ],
        },
    },
]

# Database: DATABASE_URL selects PostgreSQL; the default is SQLite in var/ with WAL and IMMEDIATE
# transactions so that concurrent writers queue instead of failing with "database is locked".
_database_url = os.environ.get("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "cme.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                    # Keep the query planner's statistics fresh (SQLite's advice for long
                    # connections); without them large case lists pick slow plans.
                    " PRAGMA optimize=0x10002;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared between processes so sign-in throttling counts every attempt, whichever worker took it.
_cache_url = os.environ.get("CME_REDIS_URL")
if _cache_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# Sign-in: email and password, then a second factor. Nobody signs up; administrators create users.
ACCOUNT_ADAPTER = "cme.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    # Five failures for one account in five minutes, or twenty from one address in a minute.
    "login_failed": "20/m/ip,5/300s/key",
    "login": "30/m/ip",
    "reset_password": "5/m/ip,3/m/key",
}
ACCOUNT_FORMS = {"login": "cme.accounts.forms.SignInForm"}
MFA_ADAPTER = "cme.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Administrators create accounts, so an address is known to be the person's; without this, a
# pending password reset would stop someone setting up their second factor.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_TOTP_ISSUER = "CME"
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
SOCIALACCOUNT_ADAPTER = "cme.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_PROVIDERS: dict[str, object] = {}
if os.environ.get("CME_OIDC_SERVER_URL"):
    # A council's own identity provider (Entra ID, Okta...). Accounts must already exist here.
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": "council",
                "name": os.environ.get("CME_OIDC_NAME", "Council sign-in"),
                "client_id": os.environ.get("CME_OIDC_CLIENT_ID", ""),
                "secret": os.environ.get("CME_OIDC_CLIENT_SECRET", ""),
                "settings": {"server_url": os.environ["CME_OIDC_SERVER_URL"]},
            }
        ]
    }

# Behind a reverse proxy, how many proxies append to X-Forwarded-For (0: use the socket address).
# Throttling and the audit trail then see the person's address, not the proxy's.
CME_TRUSTED_PROXY_COUNT = int(os.environ.get("CME_TRUSTED_PROXY_COUNT", "0"))
# Requests one API token may make, as "number/period" (s, m, h or d): a runaway system gets 429s.
CME_API_RATE = os.environ.get("CME_API_RATE", "120/m")
ALLAUTH_TRUSTED_PROXY_COUNT = CME_TRUSTED_PROXY_COUNT

# Sessions: 30 minutes idle (refreshed by every request), 12 hours at most from signing in.
CME_SESSION_IDLE_SECONDS = int(os.environ.get("CME_SESSION_IDLE_SECONDS", 30 * 60))
CME_SESSION_WARNING_SECONDS = int(os.environ.get("CME_SESSION_WARNING_SECONDS", 2 * 60))
CME_SESSION_ABSOLUTE_SECONDS = int(os.environ.get("CME_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60))
SESSION_COOKIE_AGE = CME_SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Security headers. No inline script anywhere, so the policy needs no nonces.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Where import checks and applies run: "thread" (in the web process, after the request commits),
# "worker" (only by `cme imports run`), or "sync" (inside the request; tests).
CME_IMPORTS_RUN = os.environ.get("CME_IMPORTS_RUN", "thread")

# Case documents. Never served as static files: each download goes through an audited view.
MEDIA_ROOT = os.environ.get("CME_MEDIA_ROOT", str(VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = os.environ.get(
    "CME_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("CME_FROM_EMAIL", "cme-no-reply@example.gov.uk")
# The address people use to reach the service, for links in emails.
CME_BASE_URL = os.environ.get("CME_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Logs carry request ids and record ids, never names, addresses or email addresses.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cme.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CME_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger prints the request line; our URLs carry no personal data.
        "django.security.DisallowedHost": {"level": "ERROR"},
    },
}

FORM_RENDERER = "cme.core.forms.GovUKFormRenderer"
