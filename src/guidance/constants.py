"""Career guidance: fixed codes and limits."""

# E. A. Klimov's five profession types, in this order everywhere (API names clients rely on)
TYPES = ("nature", "technology", "people", "signs", "art")

SLOT_LENGTHS = (30, 45, 60)  # minutes
MAX_BUFFER_MINUTES = 60
BOOKED = "booked"
CANCELLED = "cancelled"
STATUSES = (BOOKED, CANCELLED)

LEAD_MINUTES = 60  # a slot can be booked up to an hour before it starts
HORIZON_DAYS = 60  # and at most this far ahead
CANCEL_HOURS = 12  # readers cancel up to this many hours before the start
MAX_SLOT_SEARCH_DAYS = 62  # one query covers at most about two months

EXCEPTION_OFF = "off"  # the counsellor is away (whole day, or a time range)
EXCEPTION_EXTRA = "extra"  # additional hours at a branch on one date
EXCEPTION_KINDS = (EXCEPTION_OFF, EXCEPTION_EXTRA)

SURVEY_VERSION = 1
RATED_MAX = 4  # rated items answer 0..4
YOUTH_AGES = (12, 21)  # who the guidance section is written for (not enforced)

WORKSHOP_CATEGORY = "career_workshop"  # events of this category are career workshops
RECOMMENDATION_DAYS = 60  # how far ahead recommendations look
CONSULTATION_LOOKAHEAD_DAYS = 14  # for "next free consultation" offers
