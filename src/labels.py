"""Human labels for the codes the API uses (zone kinds, features, roles, ...), marked for translation."""

from src.i18n import current_language, gettext


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for "mark only"
    return message


LABELS = {
    # zone kinds
    "reading_hall": N_("Reading hall"),
    "coworking": N_("Coworking"),
    "conference_hall": N_("Conference hall"),
    "makerspace": N_("Makerspace"),
    "children": N_("Children's zone"),
    "local_history": N_("Local-history room"),
    "exhibition": N_("Exhibition space"),
    "computer_class": N_("Computer class"),
    "consultation_room": N_("Consultation room"),
    # features
    "projector": N_("Projector"),
    "screen": N_("Screen"),
    "computers": N_("Computers"),
    "wifi": N_("Wi-Fi"),
    "step_free": N_("Step-free access"),
    "whiteboard": N_("Whiteboard"),
    "sound_system": N_("Sound system"),
    "soundproof": N_("Soundproofed"),
    "laser_engraver": N_("Laser engraver"),
    "3d_printer": N_("3D printer"),
    "video_studio": N_("Video studio"),
    "fireplace": N_("Fireplace"),
    "kitchenette": N_("Kitchenette"),
    # closure kinds
    "holiday": N_("Public holiday"),
    "sanitary": N_("Sanitary day"),
    "repair": N_("Repairs"),
    "other": N_("Other"),
    # booking statuses and holders
    "pending": N_("Waiting for approval"),
    "confirmed": N_("Confirmed"),
    "declined": N_("Declined"),
    "cancelled": N_("Cancelled"),
    "event": N_("Event"),
    "visit": N_("School visit"),
    "block": N_("Internal block"),
    # profession types (Klimov)
    "nature": N_("Person and nature"),
    "technology": N_("Person and technology"),
    "people": N_("Person and people"),
    "signs": N_("Person and sign systems"),
    "art": N_("Person and art"),
    # event and sign-up statuses
    "scheduled": N_("Scheduled"),
    "waitlisted": N_("On the waitlist"),
    # roles
    "reader": N_("Reader"),
    "staff": N_("Library staff member"),
    "admin": N_("Administrator"),
    "counsellor": N_("Career counsellor"),
    "teacher": N_("Teacher"),
    # school visits (confirmed, declined, cancelled as for bookings), teacher registrations, programme topics
    "requested": N_("Requested"),
    "proposed": N_("Another time proposed"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "local_studies": N_("Local history"),
    "library_tour": N_("Library tour"),
    "career": N_("Career guidance"),
    "literature": N_("Literature"),
    "science": N_("Science"),
    "arts": N_("Arts"),
    "media_literacy": N_("Media literacy"),
}


# codes that mean something else in another namespace ("local_history" is also a zone kind)
KIND_LABELS = {
    "category": {
        "career_workshop": N_("Career workshop"),
        "local_history": N_("Local history"),
        "reading_club": N_("Reading club"),
        "master_class": N_("Master class"),
        "lecture": N_("Lecture"),
        "exhibition": N_("Exhibition"),
        "family": N_("Family event"),
        "other": N_("Other"),
    },
}


# zone kinds and features an admin added, named in the database: code -> (Russian, English); filled by the rooms
# domain each time it loads the network (src/rooms/service.py), so every process knows the current names
_added: dict[str, tuple[str, str]] = {}


def set_added(names: dict[str, tuple[str, str]]) -> None:
    global _added
    _added = dict(names)


def label(code: str, kind: str = "") -> str:
    """The translated label of a code; ``kind`` picks a namespace such as "category"."""
    labels = KIND_LABELS.get(kind, LABELS)
    if code in labels:
        return gettext(labels[code])
    if not kind and code in _added:
        russian, english = _added[code]
        return (english or russian) if current_language() == "en" else russian
    return code
