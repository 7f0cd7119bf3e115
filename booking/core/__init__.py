"""Pages and endpoints that belong to no single feature: home page, health check, errors."""
