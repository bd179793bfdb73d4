"""Views of the auth area: thin — parse the form, call ``accounts``, render or redirect."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from limits import RateLimitItemPerSecond
from sqlalchemy.exc import IntegrityError

from .. import accounts, ratelimit
from ..core import audit
from ..core.locking import write_transaction
from ..core.notify import compose_email, queue_email
from ..extensions import db, limiter
from ..models import Enterprise, User
from ..timeutil import utcnow
from ..web import actor, render, roles_required, safe_next
from . import bp, tokens
from .forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    LoginLinkForm,
    RegistrationForm,
    ResetPasswordForm,
)


def _start_session(user, remember: bool = False) -> None:
    """Sign in with a fresh session (no fixation) and a new sign-in record, keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    accounts.open_sign_in(user)
    login_user(user, remember=remember)
    user.last_login_at = utcnow()


def _end_session() -> None:
    """Forget the sign-in in this browser: a fresh session keeping only the language, the remember cookie deleted.

    ``logout_user`` runs *after* the session is cleared: it marks the "stay signed in" cookie for deletion in the
    session, and clearing the session afterwards would lose that mark (the cookie would sign the browser back in).
    """
    lang = session.get("lang")
    session.clear()
    logout_user()
    if lang:
        session["lang"] = lang


def _home_for(user) -> str:
    """Where a user lands after signing in: the lawyer's agenda, staff's roster, an enterprise's page."""
    if user.is_lawyer:
        return url_for("bookings.agenda")
    if user.is_staff:
        return url_for("enterprises.index")
    return url_for("enterprises.mine")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"])
def register():
    """An enterprise registers itself and its first user; it can sign in at once, pending verification.

    Refused registrations are rate-limited per client address (probing which codes and addresses are known): every
    attempt takes its place before the form is checked, as sign-in's do, and an accepted one gives it back.
    """
    if current_user.is_authenticated:
        ratelimit.give_back()
        return redirect(_home_for(current_user))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_enterprise(
                enterprise_name=form.enterprise_name.data,
                uscc=form.uscc.data,
                industry=form.industry.data,
                employees=form.employees.data,
                contact_name=form.contact_name.data,
                phone=form.phone.data,
                email=form.email.data,
                password=form.password.data,
                locale=session.get("lang"),
            )
        except (accounts.AccountError, IntegrityError):
            # Someone registered the same code or address a moment ago.
            db.session.rollback()
            form.uscc.errors = [_("This enterprise or e-mail address was registered a moment ago.")]
        else:
            audit.record("enterprise.registered", user.enterprise, actor=user, uscc=user.enterprise.uscc)
            if form.needs.data or form.needs_note.data:
                from ..coverage.service import state_needs

                state_needs(user.enterprise, form.needs.data, form.needs_note.data, "registration", user)
            _start_session(user)
            ratelimit.give_back()
            flash(
                _("Welcome! Your enterprise is registered. The park service station will verify it shortly."), "success"
            )
            return redirect(url_for("enterprises.mine"), code=303)
    return render("auth/register.html", form=form, status=422 if form.is_submitted() else 200)


def _login_account_key() -> str:
    """The account a sign-in tries (its normalised e-mail address), whichever address the attempts come from."""
    return "account:" + accounts.normalise_email(request.form.get("email"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], methods=["POST"], key_func=_login_account_key)
def login():
    """Sign in. Failed attempts are rate-limited per client address and per account.

    Every attempt takes its place in both limits before the password is checked (one atomic step in the shared
    store, so guesses sent in parallel can't all pass a check made before any of them is counted); a successful
    sign-in gives its places back (``ratelimit.give_back``), so only failed ones count.
    """
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_("The e-mail address or the password is wrong."))
        elif not user.is_active:
            form.form_errors.append(
                _(
                    "This account has been deactivated. Please phone the park service station at %(phone)s.",
                    phone=current_app.config["SERVICE_STATION_PHONE"],
                )
            )
        else:
            _start_session(user, remember=form.remember.data)
            ratelimit.give_back()
            return redirect(safe_next(request.args.get("next")) or _home_for(user), code=303)
    return render("auth/login.html", form=form, status=422 if form.is_submitted() else 200)


@bp.errorhandler(429)
def throttled(error):
    """Sign-in slowed down after failed attempts: the sign-in page offers a one-time link by e-mail instead.

    When the account's own limit (guessing from any number of addresses) is reached, its owner is told by e-mail,
    once per throttle window. Other throttled auth pages get the general 429 page.
    """
    from ..errors import render_error

    if request.endpoint != "auth.login":
        return render_error(429)
    db.session.rollback()
    form = LoginForm()
    if getattr(getattr(error, "limit", None), "key_func", None) is _login_account_key:
        # Committed on its own: the 429 answer itself is rolled back by the request's commit point.
        _warn_owner_of_guessing(form.email.data, error.limit.limit.get_expiry())
    form.form_errors.append(_("Too many failed attempts. Please wait a while, or sign in with a link by e-mail."))
    link_form = LoginLinkForm(formdata=None, data={"email": form.email.data})
    return render("auth/login.html", form=form, link_form=link_form, throttled=True, status=429)


def _warn_owner_of_guessing(email: str | None, window_seconds: int) -> None:
    """E-mail the account's owner that someone is guessing its password (at most once per throttle window)."""
    once = RateLimitItemPerSecond(1, window_seconds)
    if not limiter.limiter.hit(once, "guessing-warned", accounts.normalise_email(email)):
        return
    with write_transaction():
        user = accounts.find_user_by_email(email or "")
        if user is None or not user.is_active:
            return
        link = url_for("auth.request_login_link", _external=True)
        queue_email(user.email, "emails/sign_in_guessing", locale=user.locale, user=user, link=link)
        audit.record("user.sign_in_throttled", user, actor=None)


@bp.post("/logout")
def logout():
    """Sign out (POST only, with CSRF like every unsafe request): this browser's sign-in ends for good."""
    user = actor()
    if user is not None:
        accounts.close_sign_in(user)
    _end_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("main.index"), code=303)


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    """Sign out on every device and browser at once (a lost phone, a shared computer)."""
    user = actor()
    accounts.end_all_sign_ins(user)
    audit.record("user.signed_out_everywhere", user, actor=user)
    _end_session()
    flash(_("You have signed out on all devices."), "info")
    return redirect(url_for("main.index"), code=303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; other sessions are signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors = [_("This is not your current password.")]
        else:
            current_user.set_password(form.password.data)
            # This browser stays signed in (its cookies carry the new token); every other sign-in has ended.
            remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            login_user(current_user._get_current_object(), remember=remember)
            audit.record("user.password_changed", actor(), actor=actor())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.index"), code=303)
    return render("auth/change_password.html", form=form, status=422 if form.is_submitted() else 200)


def _reset_account_key() -> str:
    """The account a reset link is asked for (normalised e-mail address), whichever address the requests come from."""
    return "password-reset:" + accounts.normalise_email(request.form.get("email"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"], key_func=_reset_account_key)
def forgot_password():
    """Send a time-limited reset link; the answer is the same whether the address is known or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        _email_link(form.email.data, "emails/password_reset", "auth.reset_password", tokens.password_reset_token)
        flash(
            _(
                "If an account uses this address, we have sent it a link to choose a new password. "
                "It is valid for one hour."
            ),
            "info",
        )
        return redirect(url_for("auth.login"), code=303)
    return render("auth/forgot_password.html", form=form, status=422 if form.is_submitted() else 200)


def _email_link(email: str, template: str, endpoint: str, make_token: Callable[[User], str]) -> None:
    """E-mail a link to the account with ``email`` — doing the same work for an unknown address.

    For an unknown (or deactivated) address a stand-in account gets the token made, the e-mail rendered and
    written in a savepoint that is then undone, so the answer's timing doesn't tell whether the address has an
    account (nothing is sent to it, and the page says the same either way).
    """
    user = accounts.find_user_by_email(email)
    known = user is not None and user.is_active
    recipient = user if known else accounts.stand_in_user(email)
    link = url_for(endpoint, token=make_token(recipient), _external=True)
    message = compose_email(recipient.email, template, locale=recipient.locale, user=recipient, link=link)
    savepoint = db.session.begin_nested()
    db.session.add(message)
    db.session.flush()
    if known:
        savepoint.commit()
    else:
        savepoint.rollback()


def _login_link_account_key() -> str:
    """The account a sign-in link is asked for (normalised e-mail address)."""
    return "login-link:" + accounts.normalise_email(request.form.get("email"))


@bp.route("/login-link", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LINK_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LINK_RATE_LIMIT"], methods=["POST"], key_func=_login_link_account_key)
def request_login_link():
    """Ask for a one-time sign-in link by e-mail (the way in while sign-in is throttled); one answer for all."""
    form = LoginLinkForm()
    if form.validate_on_submit():
        _email_link(form.email.data, "emails/login_link", "auth.login_link", tokens.login_link_token)
        flash(
            _("If an account uses this address, we have sent it a link to sign in once. It is valid for 15 minutes."),
            "info",
        )
        return redirect(url_for("auth.login"), code=303)
    return render("auth/login_link.html", form=form, status=422 if form.is_submitted() else 200)


@bp.route("/login-link/<token>", methods=["GET", "POST"])
def login_link(token: str):
    """Sign in with a one-time link: the link shows a button (mail scanners that open links sign nobody in)."""
    user = tokens.user_from_login_link(token)
    if user is None:
        flash(_("This link has expired or was used already. Please ask for a new one."), "error")
        return redirect(url_for("auth.request_login_link"), code=303)
    form = ConfirmForm()
    if form.validate_on_submit():
        if not accounts.claim_sign_in(user, user.last_login_at):
            flash(_("This link has expired or was used already. Please ask for a new one."), "error")
            return redirect(url_for("auth.request_login_link"), code=303)
        _start_session(user)
        audit.record("user.signed_in_by_link", user, actor=user)
        return redirect(_home_for(user), code=303)
    return render("auth/login_link_confirm.html", form=form, user=user)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from a reset link."""
    user = tokens.user_from_reset_token(token)
    if user is None:
        flash(_("This link has expired or was used already. Please ask for a new one."), "error")
        return redirect(url_for("auth.forgot_password"), code=303)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        accounts.end_all_sign_ins(user)
        audit.record("user.password_reset", user, actor=user)
        flash(_("Your new password is set. Please sign in."), "success")
        return redirect(url_for("auth.login"), code=303)
    return render("auth/reset_password.html", form=form, status=422 if form.is_submitted() else 200)


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup_account(token: str):
    """A new lawyer or staff member sets their own password from the invitation staff's creation e-mailed."""
    user = tokens.user_from_setup_token(token)
    if user is None:
        flash(
            _("This link has expired or was used already. Please ask the park service station for a new one."), "error"
        )
        return redirect(url_for("auth.login"), code=303)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        accounts.end_all_sign_ins(user)
        audit.record("user.password_set", user, actor=user)
        flash(_("Your password is set. Please sign in."), "success")
        return redirect(url_for("auth.login"), code=303)
    return render("auth/setup_account.html", form=form, user=user, status=422 if form.is_submitted() else 200)


@bp.route("/invite", methods=["GET", "POST"])
@roles_required("enterprise")
def invite():
    """The enterprise's first user invites a colleague by e-mail."""
    if not current_user.is_first_user or current_user.enterprise.status == "archived":
        abort(403)
    form = InviteForm()
    if form.validate_on_submit():
        token = tokens.invitation_token(
            current_user.enterprise_id, accounts.normalise_email(form.email.data), current_user.id
        )
        link = url_for("auth.accept_invitation", token=token, _external=True)
        queue_email(
            form.email.data,
            "emails/invitation",
            locale=current_user.locale,
            inviter=current_user,
            enterprise=current_user.enterprise,
            name=form.name.data,
            link=link,
        )
        audit.record(
            "user.invited", current_user.enterprise, actor=actor(), email=accounts.normalise_email(form.email.data)
        )
        flash(_("The invitation has been sent to %(email)s.", email=form.email.data), "success")
        return redirect(url_for("enterprises.mine"), code=303)
    return render("auth/invite.html", form=form, status=422 if form.is_submitted() else 200)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """A colleague accepts the invitation, chooses a password and is signed in."""
    data = tokens.read_invitation(token)
    enterprise = db.session.get(Enterprise, data["e"]) if data else None
    if data is None or enterprise is None or enterprise.status == "archived":
        flash(_("This invitation has expired. Please ask your colleague for a new one."), "error")
        return redirect(url_for("main.index"), code=303)
    if accounts.find_user_by_email(data["m"]) is not None:
        flash(_("This invitation has been used already. Please sign in."), "info")
        return redirect(url_for("auth.login"), code=303)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                user = accounts.create_user(
                    email=data["m"],
                    password=form.password.data,
                    role="enterprise",
                    name=form.name.data,
                    enterprise=enterprise,
                    phone=form.phone.data,
                    locale=session.get("lang"),
                )
        except (accounts.AccountError, IntegrityError):
            # The same link was accepted a moment ago (two tabs, a double click).
            flash(_("This invitation has been used already. Please sign in."), "info")
            return redirect(url_for("auth.login"), code=303)
        audit.record("user.joined", enterprise, actor=user, email=user.email)
        _start_session(user)
        flash(_("Welcome to %(name)s on the portal.", name=enterprise.name), "success")
        return redirect(url_for("enterprises.mine"), code=303)
    return render(
        "auth/accept_invitation.html",
        form=form,
        enterprise=enterprise,
        email=data["m"],
        status=422 if form.is_submitted() else 200,
    )
