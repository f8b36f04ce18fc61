"""A routing form, ``/form/<public_id>``: the visitor answers, the answers are routed and kept,
and a 303 sends them on (a booking link with the answers pre-filled, a message, a web address)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from booking import selectors
from booking.models import Destination, RoutingForm
from booking.routing_forms import HONEYPOT, AnswerForm
from booking.services import routing as routing_services
from workestra.lib import ratelimit
from workestra.tenancy import HtmxRequest

MESSAGE_SALT = "booking.routing-message"
PREFILL_MAX = 200


def _form_or_404(public_id: str) -> RoutingForm:
    form = selectors.routing_form_public(public_id)
    if form is None:
        raise Http404("No routing form here.")
    return form


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303  # the answers were taken: the next page is a GET
    return response


def _message_url(form: RoutingForm, rule_id: int) -> str:
    token = signing.dumps(rule_id, salt=MESSAGE_SALT)
    return reverse("booking:routing-message", args=[form.public_id]) + f"?m={token}"


@require_http_methods(["GET", "POST"])
def routing_form_page(request: HtmxRequest, public_id: str) -> HttpResponse:
    form = _form_or_404(public_id)
    if not form.is_active:
        return render(request, "booking/routing/closed.html", {"form": form}, status=410)
    questions = routing_services.form_questions(form)
    if request.method == "GET":
        # Pre-fill from the query like the booking page does (?name=…&email=…&a3=…).
        initial = {k: v[:PREFILL_MAX] for k, v in request.GET.items() if "\x00" not in v}
        answers = AnswerForm(questions=questions, initial=initial)
        return _render(request, form, answers)
    if not ratelimit.hit(
        "routing-form",
        ratelimit.client_ip(request),
        limit=settings.RATELIMIT_ROUTING_FORMS_PER_MINUTE,
    ):
        # Unbound, so the page keeps what was typed without judging it.
        kept = {k: v[:PREFILL_MAX] for k, v in request.POST.items() if "\x00" not in v}
        answers = AnswerForm(questions=questions, initial=kept)
        error = gettext("Too many attempts. Please wait a minute and try again.")
        return _render(request, form, answers, error=error, status=429)
    answers = AnswerForm(request.POST, questions=questions)
    if answers.is_spam:
        # Look accepted, keep nothing, promise nothing: the fallback's words at most.
        fallback = form.rules.filter(is_fallback=True, destination=Destination.MESSAGE).first()
        return _see_other(_message_url(form, fallback.pk if fallback else 0))
    if not answers.is_valid():
        error = gettext("Please correct the answers marked below.")
        return _render(request, form, answers, error=error, status=400)
    routed = routing_services.routing_submit(
        form=form,
        name=answers.cleaned_data["name"],
        email=answers.cleaned_data["email"],
        answers=answers.answers(),
    )
    if routed.redirect:
        return _see_other(routed.redirect)
    return _see_other(_message_url(form, routed.rule_id))


def _render(
    request: HtmxRequest,
    form: RoutingForm,
    answers: AnswerForm,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "answers": answers, "error": error, "honeypot": HONEYPOT}
    return render(request, "booking/routing/public.html", context, status=status)


@require_GET
def routing_message(request: HtmxRequest, public_id: str) -> HttpResponse:
    form = _form_or_404(public_id)
    try:
        rule_id = signing.loads(request.GET.get("m", ""), salt=MESSAGE_SALT)
    except signing.BadSignature:
        raise Http404("No message here.") from None
    rule = form.rules.filter(pk=rule_id, destination=Destination.MESSAGE).first()
    message = rule.message if rule else routing_services.default_message()
    return render(request, "booking/routing/message.html", {"form": form, "message": message})
