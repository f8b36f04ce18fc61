"""SMS for workflows: phone numbers, opt-outs, the credit ledger, sending, and Twilio's callbacks.

Credits: every workspace has a ledger (:class:`SmsCredit`). Each calendar month (UTC) a grant of
``SMS_FREE_CREDITS_PER_MONTH`` is added the first time the workspace sends in that month; unused
credits carry over. A send debits 1 before Twilio is asked; if Twilio does not take the message,
or later reports it failed or undelivered, the credit is refunded, at most once per message.
Grants and debits happen with the workspace row locked, so two workers never grant a month twice
nor spend the same last credit.

Opt-outs: the product sends from one configured Twilio number, so a STOP sent to that number
cannot name a workspace. It opts the sender out of every workspace that has texted that number
before (``SmsMessage.to == From``); START removes the number's opt-outs again. Nothing is sent to
an opted-out number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from integrations.twilio import accounts
from integrations.twilio import client as twilio
from workestra.models import Workspace
from workflows import outbox
from workflows.models import SmsCredit, SmsMessage, SmsOptOut

logger = logging.getLogger(__name__)

MAX_BODY = 1600  # Twilio's limit for one (multi-part) message
PRODUCT = "Workestra Scheduling"
NO_CREDITS = (
    "No SMS credits left this month. Free credits are added on the first of each month "
    "(see Settings → SMS)."
)

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})
HELP_REPLY = (
    f"{PRODUCT}: texts about meetings you booked. Msg & data rates may apply. "
    "Reply STOP to opt out, START to opt back in."
)
STOP_REPLY = (
    f"{PRODUCT}: you are unsubscribed and will get no more texts from this number. "
    "Reply START to opt back in."
)
START_REPLY = f"{PRODUCT}: you are subscribed again. Reply STOP to opt out."

Status = SmsMessage.Status
FAILED_STATUSES = frozenset({Status.FAILED, Status.UNDELIVERED})
FINAL_STATUSES = frozenset(
    {Status.DELIVERED, Status.UNDELIVERED, Status.FAILED, Status.CANCELED, Status.READ}
)
_STATUS_RANK: dict[str, int] = {
    Status.ACCEPTED: 0,
    Status.SCHEDULED: 0,
    Status.QUEUED: 0,
    Status.SENDING: 1,
    Status.SENT: 2,
    Status.DELIVERED: 3,
    Status.UNDELIVERED: 3,
    Status.FAILED: 3,
    Status.CANCELED: 3,
    Status.READ: 4,
}


class InvalidPhone(ValueError):
    pass


def normalise(raw: str) -> str:
    """``raw`` as E.164; it must carry its country code (+…), whatever the workspace's region."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("No phone number given.")
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidPhone(
            f"“{text}” is not a valid phone number with its country code "
            "(e.g. +1 415 555 0100 or +49 151 12345678)."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- Opt-outs ---------------------------------------------------------------------------------


def is_opted_out(workspace_id: int, phone: str) -> bool:
    return SmsOptOut.objects.filter(workspace_id=workspace_id, phone=phone).exists()


def opt_out(phone: str, *, workspace_ids: list[int] | None = None) -> int:
    """Opt ``phone`` out of the given workspaces (default: every one that has texted it)."""
    if workspace_ids is None:
        workspace_ids = list(
            SmsMessage.objects.filter(to=phone)
            .order_by()
            .values_list("workspace_id", flat=True)
            .distinct()
        )
    now = timezone.now()
    SmsOptOut.objects.bulk_create(
        [SmsOptOut(workspace_id=pk, phone=phone, created_at=now) for pk in workspace_ids],
        ignore_conflicts=True,
    )
    return len(workspace_ids)


def opt_in(phone: str) -> int:
    deleted, _ = SmsOptOut.objects.filter(phone=phone).delete()
    return deleted


def keyword(body: str) -> str:
    """The message as a keyword: one word, any case, trailing punctuation ignored."""
    return (body or "").strip().rstrip(".!").strip().upper()


def handle_inbound(sender: str, body: str) -> str:
    """Act on an inbound text; return the reply (empty: no reply)."""
    try:
        phone = normalise(sender)
    except InvalidPhone:
        phone = (sender or "").strip()[:20]
    word = keyword(body)
    if not phone:
        return ""
    if word in STOP_WORDS:
        count = opt_out(phone)
        logger.info("SMS opt-out from a number known to %s workspace(s)", count)
        return STOP_REPLY
    if word in START_WORDS:
        opt_in(phone)
        return START_REPLY
    if word in HELP_WORDS:
        return HELP_REPLY
    return ""


# --- The credit ledger --------------------------------------------------------------------------


def grant_month(now: datetime) -> str:
    """A grant's key: its month, granted at most once."""
    return f"{now.astimezone(UTC):%Y-%m}"


def grant_reason(now: datetime) -> str:
    return f"Free credits for {grant_month(now)}"


def debit_reason(key: str) -> str:
    return f"SMS {key}"[:120]


def _lock_workspace(workspace_id: int) -> None:
    # SQLite has no row locks; its IMMEDIATE transactions already serialise every writer.
    Workspace.objects.select_for_update().filter(pk=workspace_id).values_list("pk").first()


def _grant_if_missing(workspace_id: int, now: datetime) -> SmsCredit | None:
    amount = settings.SMS_FREE_CREDITS_PER_MONTH
    if amount <= 0 or _grants(workspace_id, now).exists():
        return None
    return SmsCredit.objects.create(
        workspace_id=workspace_id,
        entry=SmsCredit.Entry.GRANT,
        key=grant_month(now),
        delta=amount,
        reason=grant_reason(now),
        created_at=now,
    )


def _grants(workspace_id: int, now: datetime) -> QuerySet[SmsCredit]:
    return SmsCredit.objects.filter(
        workspace_id=workspace_id, entry=SmsCredit.Entry.GRANT, key=grant_month(now)
    )


def ensure_monthly_grant(workspace_id: int, *, now: datetime | None = None) -> SmsCredit | None:
    """Add this month's free credits unless they are already in the ledger."""
    with transaction.atomic():
        _lock_workspace(workspace_id)
        return _grant_if_missing(workspace_id, now or timezone.now())


def balance(workspace_id: int) -> int:
    total = SmsCredit.objects.filter(workspace_id=workspace_id).aggregate(total=Sum("delta"))
    return int(total["total"] or 0)


@dataclass(frozen=True)
class Summary:
    balance: int  # what can be spent now, this month's grant included even if not yet booked
    monthly_grant: int
    granted_this_month: bool
    month: str


def summary(workspace_id: int, *, now: datetime | None = None) -> Summary:
    """The balance as the settings page shows it, without writing anything (a GET)."""
    now = now or timezone.now()
    amount = settings.SMS_FREE_CREDITS_PER_MONTH
    granted = _grants(workspace_id, now).exists()
    pending = 0 if granted or amount <= 0 else amount
    return Summary(
        balance=balance(workspace_id) + pending,
        monthly_grant=amount,
        granted_this_month=granted,
        month=f"{now.astimezone(UTC):%B %Y}",
    )


def reserve(workspace_id: int, *, to: str, body: str, key: str, now: datetime) -> SmsMessage:
    """Record the message and debit one credit, or fail when none is left."""
    with transaction.atomic():
        _lock_workspace(workspace_id)
        _grant_if_missing(workspace_id, now)
        if balance(workspace_id) < 1:
            raise outbox.Fail(NO_CREDITS)
        message = SmsMessage.objects.create(
            workspace_id=workspace_id, to=to, body=body, status=Status.SENDING, created_at=now
        )
        SmsCredit.objects.create(
            workspace_id=workspace_id,
            entry=SmsCredit.Entry.DEBIT,
            key=key,
            delta=-1,
            reason=debit_reason(key),
            message=message,
            created_at=now,
        )
    return message


def refund(message: SmsMessage, *, reason: str) -> bool:
    """Give the message's credit back, once; ``False`` when it was refunded (or never debited)."""
    with transaction.atomic():
        SmsMessage.objects.select_for_update().filter(pk=message.pk).values_list("pk").first()
        credits = SmsCredit.objects.filter(message_id=message.pk)
        if (
            credits.filter(entry=SmsCredit.Entry.REFUND).exists()
            or not credits.filter(entry=SmsCredit.Entry.DEBIT).exists()
        ):
            return False
        SmsCredit.objects.create(
            workspace_id=message.workspace_id,
            entry=SmsCredit.Entry.REFUND,
            delta=1,
            reason=reason[:120],
            message=message,
        )
    return True


# --- Sending ------------------------------------------------------------------------------------


def status_callback_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('sms:status')}"


def _earlier_attempt(workspace_id: int, key: str) -> SmsMessage | None:
    debit = (
        SmsCredit.objects.filter(workspace_id=workspace_id, entry=SmsCredit.Entry.DEBIT, key=key)
        .select_related("message")
        .order_by("-pk")
        .first()
    )
    return debit.message if debit else None


def twilio_account(workspace_id: int) -> twilio.Credentials:
    """The Twilio account the workspace sends with (its own, else the server's)."""
    try:
        return accounts.require(workspace_id)
    except twilio.TwilioError as exc:
        raise outbox.Fail(str(exc)) from exc


def send(workspace_id: int, *, to: str, body: str, key: str) -> SmsMessage:
    """Send ``body`` to ``to`` (E.164) for the outbox row ``key``, paying one credit.

    Raises :class:`workflows.outbox.Fail` when retrying cannot help (opted out, no credits,
    Twilio refused the number) and :class:`integrations.twilio.client.TwilioError` when it may.
    """
    credentials = twilio_account(workspace_id)
    if is_opted_out(workspace_id, to):
        raise outbox.Fail(
            f"{to} replied STOP to our texts: no SMS is sent to it until it replies START."
        )
    earlier = _earlier_attempt(workspace_id, key)
    if earlier is not None and earlier.provider_id and earlier.status not in FAILED_STATUSES:
        return earlier  # Twilio has it already: a retry of the same row never sends twice
    if earlier is not None and not earlier.provider_id and earlier.status == Status.SENDING:
        # A worker stopped while Twilio was being asked; that attempt is over.
        SmsMessage.objects.filter(pk=earlier.pk).update(
            status=Status.FAILED, error="Interrupted before Twilio answered."
        )
        refund(earlier, reason="Refund: interrupted attempt")

    message = reserve(workspace_id, to=to, body=body, key=key, now=timezone.now())
    try:
        sid = twilio.send_sms(
            to, body, status_callback=status_callback_url(), credentials=credentials
        )
    except twilio.TwilioError as exc:
        SmsMessage.objects.filter(pk=message.pk).update(status=Status.FAILED, error=str(exc)[:300])
        refund(message, reason="Refund: Twilio did not take the message")
        if exc.unsubscribed:
            opt_out(to, workspace_ids=[workspace_id])
            raise outbox.Fail(
                f"{to} has opted out of texts from our number; no SMS is sent to it."
            ) from exc
        if exc.permanent:
            raise outbox.Fail(str(exc)) from exc
        raise
    SmsMessage.objects.filter(pk=message.pk).update(provider_id=sid, status=Status.QUEUED)
    message.refresh_from_db()
    return message


# --- Status callbacks ---------------------------------------------------------------------------


def record_status(sid: str, status: str, *, error_code: str = "") -> SmsMessage | None:
    """Twilio reports a message's progress; a failed or undelivered one gets its credit back."""
    status = (status or "").strip().lower()
    if not sid or status not in Status.values:
        return None  # a status we do not track (e.g. "receiving" for inbound) changes nothing
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(provider_id=sid).first()
        if message is None:
            return None
        old = message.status
        moves_back = _STATUS_RANK.get(status, 0) < _STATUS_RANK.get(old, 0)
        settled = old in FINAL_STATUSES and not (status == "read" and old == "delivered")
        if not moves_back and not settled:
            message.status = status
            if error_code:
                message.error = f"Twilio error {error_code}"[:300]
            message.save(update_fields=["status", "error", "updated_at"])
        if message.status in FAILED_STATUSES:
            refund(message, reason=f"Refund: message {message.status}")
    return message
