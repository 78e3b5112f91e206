"""The REST API (/api/v1/): one view per operation, each validating, calling one service or selector and
serializing. `public` is for citizens and anyone following a case; `staff` for the centre and the agencies."""
