TEACHER_PENDING = "pending"
TEACHER_APPROVED = "approved"
TEACHER_REJECTED = "rejected"
TEACHER_STATUSES = (TEACHER_PENDING, TEACHER_APPROVED, TEACHER_REJECTED)

REQUESTED = "requested"
PROPOSED = "proposed"
CONFIRMED = "confirmed"
DECLINED = "declined"
CANCELLED = "cancelled"
VISIT_STATUSES = (REQUESTED, PROPOSED, CONFIRMED, DECLINED, CANCELLED)
OPEN_STATUSES = (REQUESTED, PROPOSED)  # waiting for somebody's decision
ACTIVE_STATUSES = (REQUESTED, PROPOSED, CONFIRMED)

TOPICS = ("local_studies", "library_tour", "career", "literature", "science", "arts", "media_literacy")

GRADE_MIN = 1  # Russian schools: grades 1 to 11
GRADE_MAX = 11
MAX_WINDOWS = 3
MAX_ADULTS = 10
MAX_GROUP = 60
HORIZON_DAYS = 365  # how far ahead a window may lie
SUGGESTIONS = 8  # at most this many suggestions per request
SEARCH_DAYS_AFTER = 14  # with no free slot inside the windows, look this far past them for another time
INVITATION_DAYS = 14
HOLDER_KIND = "visit"  # the holder kind of the zone bookings that visits make
