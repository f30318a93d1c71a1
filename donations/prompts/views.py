"""Views of the prompt service: the component's script, its API, and a demo host page."""

from __future__ import annotations

from flask import Response, abort, jsonify, make_response, render_template, request
from werkzeug.datastructures import MultiDict

from donations.extensions import csrf, limiter
from donations.models import utcnow
from donations.prompts import bp, reader_state, script, service
from donations.prompts.decision import APPEAL, PLACEMENTS, THANKS
from donations.reminders import service as reminders
from donations.reminders.forms import RemindForm
from donations.reminders.views import remind_rate_limit

YEAR = 365 * 24 * 3600


@bp.get("/embed/support-prompt.js")
@limiter.exempt
def script_file():
    """The <support-prompt> web component, an ES module; cached for a year when hashed."""
    body, digest = script()
    response = Response(body, mimetype="text/javascript")
    response.set_etag(digest)
    if request.args.get("v") == digest:
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:
        # The unhashed URL other sites paste must pick up new releases within minutes.
        response.cache_control.public = True
        response.cache_control.max_age = 300
    return response.make_conditional(request)


@bp.get("/embed/demo")
def demo():
    """A host page that shows how another site embeds the prompts."""
    return render_template("prompts/demo.html")


@bp.get("/api/prompt")
@limiter.exempt  # read on every page view; a per-address limit would hit newsroom NATs
def prompt():
    """Which prompt each asked-for placement shows this reader, with its copy and a form token."""
    # A plain dict: a MultiDict raises and catches an exception for each missing key.
    args = request.args.to_dict()
    placements = [p for p in args.get("placements", "").split(",") if p in PLACEMENTS]
    if args.get("placement") in PLACEMENTS:
        placements.append(args["placement"])
    if not placements:
        abort(400, description="Ask for placements=article-end, banner or overlay.")
    wants_staff = bool(args.get("force") or args.get("debug"))
    staff = wants_staff and service.is_staff()
    if wants_staff and not staff:
        abort(403, description="Only signed-in staff may force prompts or see why they show.")
    body, cookie = service.prompt_answer(
        service.load_reader(request),
        request,
        list(dict.fromkeys(placements)),
        service.valid_slug(args.get("article")),
        force=staff and args.get("force") == "1",
        debug=staff and args.get("debug") == "1",
    )
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-store"  # per reader, never shared
    if cookie is not None:
        reader_state.write(response, cookie)
    return response


def _checked_json() -> dict:
    """The call's JSON body, once its token and Origin have been checked (else 403)."""
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        abort(400, description="Send a JSON object.")
    try:
        token = request.headers.get("X-Prompt-Token") or data.get("token")
        service.check_token(token if isinstance(token, str) else None, request)
    except service.PromptTokenError as error:
        abort(403, description=str(error))
    return data


@bp.post("/api/prompt/events")
@csrf.exempt
def events():
    """Count a batch of impressions, opens and clicks (sent with navigator.sendBeacon)."""
    data = _checked_json()
    service.record_events(service.parse_events(data.get("events")))
    return "", 204


@bp.post("/api/prompt/dismiss")
@csrf.exempt
def dismiss():
    """The reader closed a prompt: hide that placement for the dismiss period."""
    data = _checked_json()
    placement = data.get("placement")
    if placement not in PLACEMENTS:
        abort(400, description="Unknown placement.")
    prompt = data.get("prompt") if data.get("prompt") in (APPEAL, THANKS) else APPEAL
    reader = service.load_reader(request)
    service.dismiss(
        reader, placement, prompt, service.valid_token_text(data.get("variant"), "default")
    )
    response = make_response("", 204)
    reader_state.save(reader.state, response)
    return response


@bp.post("/api/prompt/remind")
@csrf.exempt
@limiter.limit(remind_rate_limit)
def remind():
    """Remind me later from the component: same rules as the /remind-me form."""
    data = _checked_json()
    now = utcnow()
    fields = {k: str(v) for k, v in data.items() if k in ("email", "month", "article", "placement")}
    if data.get("consent") is True:
        fields["consent"] = "y"
    form = RemindForm(now, formdata=MultiDict(fields), meta={"csrf": False})
    if not form.validate():
        errors = {name: messages[0] for name, messages in form.errors.items()}
        return jsonify(error=next(iter(errors.values())), fields=errors), 422
    outcome = reminders.remind(
        form.email.data or None,
        form.chosen_month(),
        now,
        article_slug=form.safe_article(),
        placement=form.safe_placement(),
    )
    placement = form.safe_placement()
    if placement:
        variant = service.valid_token_text(data.get("variant"), "default")
        service.record_events([(APPEAL, placement, variant, "remind")])
    reader = service.load_reader(request)
    reader.state.snooze(outcome.snoozed_until)
    response = jsonify(
        message=reminders.outcome_message(outcome), until=outcome.snoozed_until.isoformat()
    )
    reader_state.save(reader.state, response)
    return response
