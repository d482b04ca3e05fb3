"""libspace: one library space for the municipal libraries of Blagoveshchensk."""
