ROLE_READER = "reader"
ROLE_STAFF = "staff"
ROLE_ADMIN = "admin"
ROLE_COUNSELLOR = "counsellor"
ROLE_TEACHER = "teacher"
ROLES = (ROLE_READER, ROLE_STAFF, ROLE_ADMIN, ROLE_COUNSELLOR, ROLE_TEACHER)
STAFF_ROLES = (ROLE_STAFF, ROLE_ADMIN)

GUARDIAN_CONSENT_UNDER = 14  # readers younger than this need a guardian's name and consent
CARD_PREFIX = "28"  # Amur Oblast's region code, so city cards are recognisable at a glance
CARD_LENGTH = 12  # prefix + random digits + one Luhn check digit
MIN_PASSWORD_LENGTH = 8
