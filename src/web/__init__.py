"""HTTP plumbing shared by every domain: who is asking, in which language, templates, errors, forms."""
