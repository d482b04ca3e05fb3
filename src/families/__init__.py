"""Families across domains: a guardian's children with their sign-ups and tickets (accounts' links, events'
registrations). The links themselves are in ``src/accounts/families.py``."""
