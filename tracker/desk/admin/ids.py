"""Record ids in the desk's own admin addresses."""

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse


def numeric_id(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of one record, by id: an id that is not a whole number is a 404 before
    any query. (The ORM raises ValueError for pk="abc", a 500; and with an <int:>
    converter the address would fall through to the admin's catch-all redirect.)"""

    @wraps(view)
    def wrapper(request: HttpRequest, object_id: str, *args, **kwargs) -> HttpResponse:
        if not (object_id.isascii() and object_id.isdigit()):
            raise Http404("There is no record with this id.")
        return view(request, object_id, *args, **kwargs)

    return wrapper
