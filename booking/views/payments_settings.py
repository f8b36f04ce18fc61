"""A link's price and refund policy (``/settings/booking-links/<id>/payment``): "Require payment
to book" gates booking behind Stripe Checkout once the workspace has connected Stripe."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from booking import selectors
from booking.models import BookingLink
from booking.payments import MAX_REFUND_HOURS, LinkPrice
from integrations.models import StripeAccount
from integrations.stripe import currencies
from workestra.tenancy import AuthedRequest, workspace_required


class LinkPriceForm(forms.Form):
    require_payment = forms.BooleanField(label=_("Require payment to book"), required=False)
    price = forms.CharField(
        label=_("Price"),
        required=False,
        max_length=20,
        help_text=_("In the currency below, e.g. 25 or 25.50 (JPY and KRW: whole amounts)."),
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[(c, c) for c in currencies.CURRENCIES], initial="USD"
    )
    refund_hours = forms.IntegerField(
        label=_("Full refund until (hours before the meeting)"),
        min_value=0,
        max_value=MAX_REFUND_HOURS,
        initial=24,
        help_text=_("Cancelled at least this long before the start: full refund; after: none."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("require_payment"):
            return data
        if not (data.get("price") or "").strip():
            self.add_error("price", gettext("Enter the price."))
            return data
        try:
            data["amount"] = currencies.to_minor(data["price"], data.get("currency", "USD"))
        except currencies.AmountError as exc:
            self.add_error("price", str(exc))
        return data


def _initial(price: LinkPrice | None) -> dict[str, Any]:
    if price is None:
        return {}
    return {
        "require_payment": True,
        "price": currencies.from_minor(price.amount, price.currency),
        "currency": price.currency,
        "refund_hours": price.refund_hours,
    }


@workspace_required
@require_http_methods(["GET", "POST"])
def link_payment(request: AuthedRequest, pk: int) -> HttpResponse:
    link: BookingLink = selectors.link_get_for_user(
        request.membership, pk, write=request.method == "POST"
    )
    price = LinkPrice.objects.filter(link=link).first()
    connected = StripeAccount.objects.filter(workspace=request.workspace).exists()
    form = LinkPriceForm(request.POST or None, initial=_initial(price))
    status = 200
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["require_payment"]:
            _refuse(form, link, connected=connected)
        if form.is_valid():
            _save(link, price, form.cleaned_data)
            messages.success(request, gettext("Saved the payment settings."))
            return redirect("payments:link-payment", pk=link.pk)
        status = 400
    context = {"link": link, "form": form, "price": price, "connected": connected}
    return render(request, "booking/payments/link.html", context, status=status)


def _refuse(form: LinkPriceForm, link: BookingLink, *, connected: bool) -> None:
    if not connected:
        form.add_error(None, gettext("Connect Stripe in Settings → Integrations first."))
    elif link.kind == BookingLink.Kind.INSTANT:
        form.add_error(
            None, gettext("Instant meetings start at once, so they can't require payment.")
        )


def _save(link: BookingLink, price: LinkPrice | None, data: dict[str, Any]) -> None:
    if not data["require_payment"]:
        LinkPrice.objects.filter(link=link).delete()
        return
    price = price or LinkPrice(link=link)
    price.amount = data["amount"]
    price.currency = data["currency"]
    price.refund_hours = data["refund_hours"]
    price.save()
