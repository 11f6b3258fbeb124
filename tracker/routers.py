"""Reads of the public pages and the API from a read replica, everything else from the
primary (DATABASE_REPLICA_URL; docs/deploying.md).

`ReplicaReadsMiddleware` marks a request as a public read: a GET, HEAD or OPTIONS
outside /admin/ (and /healthz, which checks each database itself). Within such a
request `PrimaryReplicaRouter` sends reads to the "replica" alias; every write, every
read of the admin, of a form post, of a command or of a test goes to "default". A
replica lags its primary by a moment: readers may see a change that moment later, and
staff, who work in the admin on the primary, always see their own.

Without DATABASE_REPLICA_URL there is no "replica" alias and no router (settings.py).
"""

from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_public_read: ContextVar[bool] = ContextVar("public_read", default=False)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PRIMARY_PATHS = ("/admin/", "/healthz")


def reads_from_replica(request: HttpRequest) -> bool:
    return request.method in SAFE_METHODS and not request.path.startswith(PRIMARY_PATHS)


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _public_read.set(reads_from_replica(request))
        try:
            # A streamed body (the export) is read after this returns, so from the
            # primary: the flag never outlives its request.
            return self.get_response(request)
        finally:
            _public_read.reset(token)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _public_read.get() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
