"""``libspace import-readers``: cards exported from the old library system, again and again.

A card number not seen before adds a reader (no password: they activate online or at the desk); a known one
updates what differs (name, birth date, e-mail, phone, home branch: an empty cell leaves the value as it is,
since readers add contacts online). Nothing is ever deleted. Each row is reported: added, updated (which
fields), unchanged, rejected (why). All rows or none are written, unless ``skip_bad``; ``dry_run`` writes
nothing and reports what would happen.

The number of a replaced card is refused ("replaced by …"), and so is the number of a card whose data was
erased at the reader's request: the card keeps only a keyed hash of its number (:func:`erased_marker`), so the
old system's export cannot bring the reader back.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from dataclasses import dataclass, field
from datetime import date

from piccolo.engine import engine_finder

from src import audit, bounds
from src.accounts import messages, rules
from src.accounts.constants import ROLE_READER
from src.accounts.tables import Account, ReaderCard, RetiredCard
from src.branches.tables import Branch
from src.config import get_settings
from src.db import write_transaction
from src.i18n import _
from src.timeutil import now_utc, today_in

IMPORT_HEADER = ["card_number", "full_name", "birth_date", "email", "phone", "home_branch"]
ADDED, UPDATED, UNCHANGED, REJECTED = "added", "updated", "unchanged", "rejected"
ERASED_PREFIX = "ERASED-"


def erased_marker(card_number: str) -> str:
    """What an erased card's number becomes: a keyed hash that only recognises the number when it comes back."""
    digest = hmac.new(get_settings().secret_key.encode(), f"erased-card:{rules.normalize_card(card_number)}".encode(), hashlib.sha256).hexdigest()
    return ERASED_PREFIX + digest[: 20 - len(ERASED_PREFIX)]


@dataclass
class ImportRow:
    line: int
    card: str
    status: str
    fields: list[str] = field(default_factory=list)  # updated: which fields changed
    reason: str = ""  # rejected: why


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False

    def of(self, status: str) -> list[ImportRow]:
        return [row for row in self.rows if row.status == status]

    @property
    def accepted(self) -> list[tuple[int, str]]:
        """The cards added (line, number): none when nothing was written."""
        return [(row.line, row.card) for row in self.of(ADDED)] if self.written else []

    @property
    def rejected(self) -> list[tuple[int, str, str]]:
        return [(row.line, row.card, row.reason) for row in self.of(REJECTED)]


def _row_problems(row: dict[str, str], today: date) -> tuple[date | None, list[str]]:
    reasons: list[str] = []
    if len(row.get("full_name", "")) < 2:
        reasons.append(_("full name missing"))
    for name in ("full_name", "email", "phone", "home_branch"):
        problem = bounds.control_problem(row.get(name, ""))
        if problem:
            reasons.append(f"{name}: {problem}")
    if len(row.get("full_name", "")) > 200:
        reasons.append(_("The name is too long"))
    birth: date | None = None
    try:
        birth = date.fromisoformat(row.get("birth_date", ""))
        if birth > today:
            reasons.append(_("birth date in the future"))
        elif not bounds.within(birth, bounds.BIRTH):
            reasons.append(bounds.window_problem(birth, bounds.BIRTH) or "")
    except ValueError:
        reasons.append(_("birth date must be YYYY-MM-DD"))
    return birth, reasons


async def import_readers(text: str, skip_bad: bool = False, dry_run: bool = False) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if [name.strip() for name in reader.fieldnames or []] != IMPORT_HEADER:
        report.rows.append(ImportRow(1, "", REJECTED, reason=_("The header must be: %(header)s", header=",".join(IMPORT_HEADER))))
        return report
    branches = {row["slug"]: row["id"] for row in await Branch.select(Branch.slug, Branch.id)}
    cards = {
        row["card_number"]: row
        for row in await ReaderCard.select(
            ReaderCard.id, ReaderCard.card_number, ReaderCard.account, ReaderCard.birth_date, ReaderCard.home_branch,
            ReaderCard.account.full_name.as_alias("full_name"), ReaderCard.account.email.as_alias("email"), ReaderCard.account.phone.as_alias("phone"),
        )
    }
    retired = {row["card_number"]: row["account"] for row in await RetiredCard.select(RetiredCard.card_number, RetiredCard.account)}
    current_of = {row["account"]: number for number, row in cards.items()}
    emails = {row["email"]: row["id"] for row in await Account.select(Account.id, Account.email).where(Account.email.is_not_null())}
    today = today_in(get_settings().tz)
    rows: list[_Row] = []
    seen_cards: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        row = {key.strip(): (value or "").strip() for key, value in raw.items() if key}
        card = rules.normalize_card(row.get("card_number"))
        reasons: list[str] = []
        existing = None
        if not card or not rules.CARD_RE.match(card):
            reasons.append(_("card number missing or malformed"))
        elif card in seen_cards:
            reasons.append(_("card number already exists"))
        elif card in retired and retired[card] in current_of:
            reasons.append(_("card %(card)s was replaced by card %(new)s", card=card, new=current_of[retired[card]]))
        elif erased_marker(card) in cards or erased_marker(card) in retired:
            reasons.append(_("the reader's data was erased at their request"))
        else:
            existing = cards.get(card)
        birth, problems = _row_problems(row, today)
        reasons += problems
        email = rules.normalize_email(row.get("email"))
        phone = rules.normalize_phone(row.get("phone"))
        if existing is not None:  # an empty cell keeps what the card has
            email, phone = email or existing["email"], phone or existing["phone"]
        reasons += [error.message for error in rules.contact_errors(email, phone)]
        if row.get("home_branch") not in branches:
            reasons.append(_("unknown home branch %(slug)s", slug=row.get("home_branch", "")))
        if not reasons:
            seen_cards.add(card)
        wanted = {"full_name": " ".join(row.get("full_name", "").split()), "birth_date": birth, "email": email, "phone": phone, "home_branch": branches.get(row.get("home_branch", ""))}
        rows.append(_Row(line, card, reasons, existing, wanted))
    _refuse_taken_emails([row for row in rows if not row.reasons], emails)
    planned: list[tuple[ImportRow, dict]] = []
    for item in rows:
        if item.reasons:
            report.rows.append(ImportRow(item.line, item.card, REJECTED, reason="; ".join(item.reasons)))
            continue
        if item.existing is None:
            result = ImportRow(item.line, item.card, ADDED)
        else:
            changed = audit.diff({name: item.existing[name] for name in item.wanted}, item.wanted)
            result = ImportRow(item.line, item.card, UPDATED if changed else UNCHANGED, fields=list(changed))
        report.rows.append(result)
        planned.append((result, {**item.wanted, "existing": item.existing}))
    if dry_run or (report.of(REJECTED) and not skip_bad):
        return report
    try:
        await _write(planned)
    except Exception as error:  # someone registered with one of the addresses meanwhile: nothing was written
        if type(error).__name__ not in ("IntegrityError", "UniqueViolationError"):
            raise
        for result, _item in planned:
            result.status, result.fields, result.reason = REJECTED, [], _("the cards changed while importing; nothing was written: run the import again")
        return report
    report.written = True
    return report


@dataclass
class _Row:
    line: int
    card: str
    reasons: list[str]
    existing: dict | None
    wanted: dict


def _refuse_taken_emails(rows: list[_Row], owners: dict[str, int]) -> None:
    """An e-mail may belong to one account only, judged on the state after the whole file: an address moves to
    another card when the card that has it now is given another one in the same file (two cards swapping their
    addresses is fine). A row that would end up sharing an address is refused, which may leave its card's old
    address in place and refuse another row in turn, so this repeats until nothing changes."""
    accepted = list(rows)
    while True:
        final = {row.existing["account"]: row.wanted["email"] for row in accepted if row.existing is not None}
        claimed: set[str] = set()
        refused: list[_Row] = []
        for row in accepted:  # in file order: the first row to claim an address keeps it
            email = row.wanted["email"]
            if not email:
                continue
            owner = owners.get(email)
            mine = row.existing["account"] if row.existing is not None else None
            if email in claimed or (owner is not None and owner != mine and final.get(owner, email) == email):
                refused.append(row)
            else:
                claimed.add(email)
        if not refused:
            return
        for row in refused:
            row.reasons.append(_("e-mail already registered"))
        accepted = [row for row in accepted if not row.reasons]


async def _write(planned: list[tuple[ImportRow, dict]]) -> None:
    now = now_utc()
    async with write_transaction(engine_finder()):
        moving = [item["existing"]["account"] for result, item in planned if result.status == UPDATED and "email" in result.fields]
        if moving:  # addresses that change hands (two cards swapping theirs): let go first, so no moment has two owners
            await Account.update({Account.email: None}).where(Account.id.is_in(moving))
        for result, item in planned:
            existing = item["existing"]
            if result.status == ADDED:
                account = Account(role=ROLE_READER, email=item["email"], phone=item["phone"], full_name=item["full_name"], password_hash="", created_at=now, updated_at=now)
                await account.save()
                await audit.record(None, "import", "account", account.id, branch_id=item["home_branch"], changes={"role": (None, ROLE_READER), "card_number": (None, result.card)})
                await ReaderCard.insert(
                    ReaderCard(
                        account=account.id,
                        card_number=result.card,
                        birth_date=item["birth_date"],
                        home_branch=item["home_branch"],
                        consent_at=now,  # consent was recorded on paper by the old system when the card was issued
                        imported_at=now,
                        created_at=now,
                        search_name=rules.search_key(item["full_name"]),
                    )
                )
            elif result.status == UPDATED:
                await Account.update(
                    {Account.full_name: item["full_name"], Account.email: item["email"], Account.phone: item["phone"], Account.updated_at: now}
                ).where(Account.id == existing["account"])
                await ReaderCard.update(
                    {ReaderCard.birth_date: item["birth_date"], ReaderCard.home_branch: item["home_branch"], ReaderCard.search_name: rules.search_key(item["full_name"])}
                ).where(ReaderCard.id == existing["id"])
                await audit.record(
                    None, "import_update", "account", existing["account"], branch_id=item["home_branch"],
                    changes={name: (existing[name], item[name]) for name in result.fields},
                )
                await messages.tell_details_changed(
                    messages.DETAILS_IMPORTED, existing["account"], result.card, result.fields, existing["email"], item["email"], f"import-{now.isoformat()}"
                )
