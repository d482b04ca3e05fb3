CATEGORIES = (
    "career_workshop",
    "local_history",
    "reading_club",
    "master_class",
    "lecture",
    "exhibition",
    "family",
    "other",
)
# Klimov's five profession types, used by career guidance
PROFESSION_TYPES = ("nature", "technology", "people", "signs", "art")

SCHEDULED = "scheduled"
CANCELLED = "cancelled"
EVENT_STATUSES = (SCHEDULED, CANCELLED)

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
REG_CANCELLED = "cancelled"
ACTIVE = (CONFIRMED, WAITLISTED)

# why a sign-up ended
BY_READER = "reader"
BY_STAFF = "staff"
RELEASED = "released"  # not confirmed in time ("confirm or release")
EVENT_WAS_CANCELLED = "event_cancelled"

NO_SHOW_DAYS = 90
PROBATION_CONFIRM_HOURS = 24  # readers over the no-show limit confirm this long before the start, unless the event says otherwise
MAX_OCCURRENCES = 60
MAX_SERIES_DAYS = 366
MAX_SEATS_PER_SIGNUP = 10
TICKET_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U to misread
TICKET_LENGTH = 12  # 60 random bits
