"""gunicorn's settings file: gunicorn reads it from the working directory, so `make serve`,
`make cluster` and the operations tests all start their workers through it. Workers,
threads and the address are given on the command line (Makefile)."""

# gunicorn refuses a long request line or header with its own bare HTML page, which an
# API client cannot read. Its limits are raised so that the site's own, lower limits
# answer instead (tracker/request_limits.py: a JSON 414 or 431 under /api/). 0 is
# gunicorn's only setting above 8,190 bytes for the request line: no limit of its own.
# In production nginx stands in front and bounds both (large_client_header_buffers,
# above the site's limits: docs/deploying.md).
limit_request_line = 0
limit_request_field_size = 64 * 1024
limit_request_fields = 200


def post_worker_init(worker):
    """Before a worker's first request: templates compiled, startup objects frozen out
    of the garbage collector's walks (tracker/warmup.py)."""
    from tracker.warmup import warm_up

    worker.log.info("Warmed up: %d templates compiled", warm_up())
