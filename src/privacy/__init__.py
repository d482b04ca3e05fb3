"""Personal data of a reader across every domain (Russian law 152-FZ): "My data" as JSON, and erasure on the
reader's wish or at their written request to staff. It sits above the domains: it reads their tables and
asks their services to cancel what is still ahead."""
