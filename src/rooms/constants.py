ZONE_KINDS = (
    "reading_hall",
    "coworking",
    "conference_hall",
    "makerspace",
    "children",
    "local_history",
    "exhibition",
    "computer_class",
    "consultation_room",
)
FEATURES = (
    "projector",
    "screen",
    "computers",
    "wifi",
    "step_free",
    "whiteboard",
    "sound_system",
    "soundproof",
    "laser_engraver",
    "3d_printer",
    "video_studio",
    "fireplace",
    "kitchenette",
)

PENDING, CONFIRMED, DECLINED, CANCELLED = "pending", "confirmed", "declined", "cancelled"
BOOKING_STATUSES = (PENDING, CONFIRMED, DECLINED, CANCELLED)
ACTIVE_STATUSES = (PENDING, CONFIRMED)  # these hold the zone; no two of one zone may overlap

# Who holds a booking: a reader (own card), staff (a library's own use), an event or a school visit (other
# domains, through rooms.bookings.reserve), or an internal block (maintenance, set-up).
HOLDER_READER, HOLDER_STAFF, HOLDER_EVENT, HOLDER_VISIT, HOLDER_BLOCK = "reader", "staff", "event", "visit", "block"
HOLDER_KINDS = (HOLDER_READER, HOLDER_STAFF, HOLDER_EVENT, HOLDER_VISIT, HOLDER_BLOCK)

RECURRENCE_FREQUENCIES = ("daily", "weekly")
MAX_OCCURRENCES = 60  # one request may create at most this many bookings
MAX_AVAILABILITY_DAYS = 62  # the longest period one availability request may ask about
