"""Views of "Already a supporter?": ask for a sign-in link, and follow it."""

from __future__ import annotations

from flask import Response, current_app, make_response, render_template

from donations.payments import supporter_pass
from donations.platform.extensions import limiter
from donations.platform.web import private
from donations.supporters import bp, service
from donations.supporters.forms import SignInForm


def sign_in_rate_limit() -> str:
    return current_app.config["REMIND_RATE_LIMIT"]


@bp.after_request
def never_stored(response: Response) -> Response:
    """These answers carry a reader's address, link or pass: no cache keeps one."""
    return private(response)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(sign_in_rate_limit, methods=["POST"])
def sign_in():
    """Ask for a sign-in link; the answer is the same whether or not the address has given."""
    form = SignInForm()
    if form.validate_on_submit():
        service.request_sign_in(form.email.data)
        return render_template("supporters/sign_in.html", form=form, sent=True)
    status = 422 if form.is_submitted() else 200
    return render_template("supporters/sign_in.html", form=form, sent=False), status


@bp.get("/restore/<token>")
def restore(token: str):
    """Follow the e-mailed link: set the supporter pass on this device."""
    try:
        supporter = service.restore(token)
    except service.SignInLinkInvalid as error:
        return render_template("supporters/restored.html", problem=str(error), supporter=None), 400
    response = make_response(
        render_template("supporters/restored.html", problem=None, supporter=supporter)
    )
    if supporter is not None:
        supporter_pass.grant(response, supporter)
    return response
