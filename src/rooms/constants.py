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
CLOSURE_KINDS = ("holiday", "sanitary", "repair", "other")
