"""gunicorn's settings file: gunicorn reads it from the working directory, so `make serve`,
`make cluster` and the operations tests all start their workers through it. Workers,
threads and the address are given on the command line (Makefile)."""


def post_worker_init(worker):
    """Before a worker's first request: templates compiled, startup objects frozen out
    of the garbage collector's walks (tracker/warmup.py)."""
    from tracker.warmup import warm_up

    worker.log.info("Warmed up: %d templates compiled", warm_up())
