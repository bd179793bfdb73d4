"""Security headers on every response and the login cookie's loader."""

from __future__ import annotations

from flask import Flask

from .extensions import db, login_manager

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    """Add the headers and configure Flask-Login."""

    @app.after_request
    def security_headers(response):
        """CSP without inline script, no sniffing, no framing, a tight referrer."""
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to see this page.")

    @login_manager.user_loader
    def load_user(cookie_id: str):
        """Accept ``id:session_token``; a changed token (new password) signs the old sessions out."""
        from .core.parsing import parse_id
        from .models import User

        user_id, _, token = cookie_id.partition(":")
        ident = parse_id(user_id)
        if ident is None:
            return None
        user = db.session.get(User, ident)
        if user is None or not token or user.session_token != token:
            return None
        return user
