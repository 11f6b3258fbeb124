"""A server process's warm-up, before its first request (gunicorn.conf.py).

Without it, the first request of each kind in each worker paid for compiling its
templates (10-30 ms a page), and requests at random paid for the garbage collector
walking everything the process had built since it started: a full collection took 60 ms
in the middle of an API list. So a worker, once started:

1. compiles every template of the site into the cached template loader and resolves
   the URL configuration (importing every view);
2. moves everything built so far out of the collector's reach (`gc.freeze()`: modules,
   templates, settings are never garbage), so a collection walks only what requests
   built since.

It touches neither the database nor the cache: a worker starts, and answers 503, while
either is away (tracker/outage.py).
"""

import gc
import logging
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver

log = logging.getLogger(__name__)
TEMPLATE_SUFFIXES = {".html", ".txt", ".xml"}


def template_names() -> list[str]:
    """The site's own templates, by the names views load them with."""
    roots = [Path(directory) for directory in settings.TEMPLATES[0]["DIRS"]]
    roots += sorted(Path(settings.BASE_DIR, "tracker").glob("*/templates"))
    return sorted(
        str(path.relative_to(root))
        for root in roots
        for path in root.rglob("*")
        if path.is_file() and path.suffix in TEMPLATE_SUFFIXES
    )


def warm_up() -> int:
    """Compile the templates, load the views, freeze what exists; the templates compiled."""
    engine = engines["django"]
    compiled = 0
    for name in template_names():
        try:
            engine.get_template(name)
            compiled += 1
        except (TemplateDoesNotExist, TemplateSyntaxError):  # the worker starts; the page fails on use, as before
            log.warning("warm-up: template %s did not compile", name)
    get_resolver().url_patterns  # noqa: B018 (imports the URL configuration and every view)
    gc.collect()
    gc.freeze()
    return compiled
