"""Open311 GeoReport v2 at /open311/v2/: the same cases, in the shape every Open311 client expects."""
