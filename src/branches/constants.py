CLOSURE_KINDS = ("holiday", "sanitary", "repair", "other")
DIRECTIONS_LENGTH = 2000  # a branch's written directions: a few short paragraphs
