"""School group visits: schools and their teachers, programmes branches offer, visit requests confirmed into a zone."""
