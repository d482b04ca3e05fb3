from datetime import timedelta

PRODID = "-//МИБС Благовещенск//libspace//RU"
UID_DOMAIN = "libspace"
REFRESH_INTERVAL = timedelta(hours=1)  # REFRESH-INTERVAL and X-PUBLISHED-TTL
CANCELLED_KEPT_DAYS = 30
FEED_PAST_DAYS = 90  # events that ended longer ago than this leave the feeds
TOKEN_BYTES = 32  # private feed tokens: 32 random bytes, URL-safe base64 (43 characters)

# kinds of private feed
FEED_READER = "reader"  # a reader's sign-ups and consultations
FEED_SCHOOL = "school"  # a teacher's school visits
FEED_STAFF = "staff"  # a staff member's branch schedule
FEED_KINDS = (FEED_READER, FEED_SCHOOL, FEED_STAFF)
FEED_FORMAT = 2  # bump when the builders change what they write: every ETag changes with it
PUBLIC_CACHE_CONTROL = "public, max-age=900"
PRIVATE_CACHE_CONTROL = "private, max-age=900"
