"""Production settings: everything in settings.py, plus HTTPS-only cookies and HSTS."""

from __future__ import annotations

import os

from cme.settings import *  # noqa: F403

DEBUG = False
if CME_DEMO:  # noqa: F405
    raise RuntimeError("CME_DEMO must be off in production: demo accounts skip the second factor")
if not os.environ.get("CME_SECRET_KEY"):
    raise RuntimeError("CME_SECRET_KEY must be set in production")
SECRET_KEY = os.environ["CME_SECRET_KEY"]
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-cme-session"
CSRF_COOKIE_NAME = "__Host-cme-csrf"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
