"""Views of experiments for the membership team: the list, a draft, its results, start, stop."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from donations.experiments import bp, service
from donations.experiments.forms import ConfirmForm, ExperimentForm
from donations.experiments.models import Experiment
from donations.platform.access import admin_only
from donations.platform.extensions import db


def get_experiment_or_404(name: str) -> Experiment:
    found = db.session.scalar(select(Experiment).where(Experiment.name == name[:40]))
    if found is None:
        abort(404, description="There is no experiment by that name.")
    return found


def main_currency() -> str:
    return current_app.config["DONATION_DEFAULT_CURRENCY"]


@bp.get("/")
def index():
    """Every experiment, newest first, with its status and where it stands."""
    service.enforce_guardrails(main_currency())
    found = [(e, service.results(e, main_currency())) for e in service.all_experiments()]
    return render_template("experiments/index.html", experiments=found)


@bp.route("/new", methods=["GET", "POST"])
@admin_only
def new():
    """Draft an experiment (admins): its plan and its variants."""
    form = ExperimentForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("experiments/new.html", form=form), status
    try:
        experiment = service.create(
            by=current_user.email,
            name=form.name.data.strip().lower(),
            placement=form.placement.data,
            hypothesis=form.hypothesis.data or "",
            variants=form.variants(),
            holdback=float(form.holdback.data) / 100,
            baseline_rate=float(form.baseline.data) / 100,
            minimum_lift=float(form.lift.data) / 100,
            guardrail_margin=float(form.margin.data) / 100,
        )
    except service.ExperimentError as refused:
        form.name.errors.append(str(refused))
        return render_template("experiments/new.html", form=form), 422
    flash(f"Experiment {experiment.name} is drafted. Start it when you are ready.", "success")
    return redirect(url_for("experiments.detail", name=experiment.name))


@bp.get("/<name>")
def detail(name: str):
    """One experiment: each variant's figures, intervals, call and guardrails."""
    service.enforce_guardrails(main_currency())
    experiment = get_experiment_or_404(name)
    return render_template(
        "experiments/detail.html",
        experiment=experiment,
        results=service.results(experiment, main_currency()),
        form=ConfirmForm(),
    )


@bp.post("/<name>/start")
@admin_only
def start(name: str):
    """Start a draft: readers' browsers pick it up with the next configuration."""
    return _change(name, lambda experiment: service.start(experiment, current_user.email))


@bp.post("/<name>/stop")
@admin_only
def stop(name: str):
    """Stop a running experiment: every reader sees the control's prompt again."""
    form = ConfirmForm()
    reason = (form.reason.data or "").strip() or "stopped by staff"
    return _change(name, lambda experiment: service.stop(experiment, current_user.email, reason))


def _change(name: str, change):
    experiment = get_experiment_or_404(name)
    if not ConfirmForm().validate_on_submit():
        abort(400, description="The form expired; please try again.")
    try:
        change(experiment)
    except service.ExperimentError as refused:
        flash(str(refused), "error")
    return redirect(url_for("experiments.detail", name=experiment.name))
