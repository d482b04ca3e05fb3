CLOSURE_KINDS = ("holiday", "sanitary", "repair", "other")
