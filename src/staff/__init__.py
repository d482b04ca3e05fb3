"""The staff home: one page that gathers today's work of a person's branches from the domains (issue 16)."""
