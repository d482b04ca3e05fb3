"""Everything stored about a reader, as plain JSON: card, contacts, consent, sign-ups, bookings,
consultations (without the counsellor's private notes), survey results, messages sent, the card's history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from src.accounts.tables import Account, ReaderCard, RetiredCard
from src.audit.tables import AuditEntry
from src.events.tables import Registration
from src.exceptions import NotFound
from src.guidance.tables import Consultation, SurveyResponse
from src.i18n import _
from src.notifications.tables import Outbox, ReminderSetting
from src.rooms.tables import Booking
from src.timeutil import aware, now_utc

FORMAT = "libspace-personal-data/1"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return aware(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


async def export(account_id: int) -> dict[str, Any]:
    account = await Account.select(
        Account.role, Account.full_name, Account.email, Account.phone, Account.language, Account.created_at, Account.updated_at
    ).where(Account.id == account_id).first()
    if account is None:
        raise NotFound(_("There is no such account"))
    card = await ReaderCard.select(
        ReaderCard.card_number, ReaderCard.birth_date, ReaderCard.home_branch.slug.as_alias("home_branch"), ReaderCard.consent_at,
        ReaderCard.consent_version, ReaderCard.guardian_consent_at, ReaderCard.imported_at,  # not the guardian's name: the guardian's data
        ReaderCard.blocked_at, ReaderCard.blocked_reason, ReaderCard.created_at,
    ).where(ReaderCard.account == account_id).first()
    retired = await RetiredCard.select(RetiredCard.card_number, RetiredCard.reason, RetiredCard.retired_at).where(RetiredCard.account == account_id).order_by(RetiredCard.id)
    registrations = await Registration.select(
        Registration.event.title.as_alias("event"), Registration.event.starts_at.as_alias("starts_at"), Registration.event.branch.slug.as_alias("branch"),
        Registration.seats, Registration.status, Registration.ticket_code, Registration.confirmed_at, Registration.promoted_at,
        Registration.checked_in_at, Registration.cancelled_at, Registration.cancel_reason, Registration.created_at,
    ).where(Registration.reader == account_id).order_by(Registration.id)
    bookings = await Booking.select(
        Booking.zone.name.as_alias("zone"), Booking.zone.branch.slug.as_alias("branch"), Booking.starts_at, Booking.ends_at, Booking.status,
        Booking.purpose, Booking.headcount, Booking.reason, Booking.created_at,
    ).where(Booking.holder == account_id).order_by(Booking.id)
    consultations = await Consultation.select(  # never the counsellor's private notes
        Consultation.counsellor.full_name.as_alias("counsellor"), Consultation.branch.slug.as_alias("branch"), Consultation.starts_at,
        Consultation.ends_at, Consultation.status, Consultation.topic, Consultation.next_steps, Consultation.cancelled_at,
        Consultation.cancel_reason, Consultation.created_at,
    ).where(Consultation.reader == account_id).order_by(Consultation.id)
    surveys = await SurveyResponse.select(
        SurveyResponse.survey_version, SurveyResponse.answers, SurveyResponse.scores, SurveyResponse.top_types, SurveyResponse.created_at
    ).where(SurveyResponse.reader == account_id).order_by(SurveyResponse.id).output(load_json=True)
    messages = await Outbox.select(Outbox.kind, Outbox.subject, Outbox.created_at, Outbox.sent_at).where(Outbox.recipient == account_id).order_by(Outbox.id)
    reminders = await ReminderSetting.select(ReminderSetting.hours, ReminderSetting.enabled, ReminderSetting.updated_at).where(ReminderSetting.account == account_id).first()
    history = await AuditEntry.select(AuditEntry.at, AuditEntry.action, AuditEntry.actor_role).where(
        (AuditEntry.object_kind == "account") & (AuditEntry.object_id == account_id)
    ).order_by(AuditEntry.id)
    return _plain(
        {
            "format": FORMAT,
            "exported_at": now_utc(),
            "account": account,
            "card": card,
            "replaced_cards": retired,
            "sign_ups": registrations,
            "bookings": bookings,
            "consultations": consultations,
            "survey_results": surveys,
            "messages": messages,
            "reminders": reminders,
            "history": history,
        }
    )
