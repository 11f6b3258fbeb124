"""A server process's warm-up, before its first request (gunicorn.conf.py).

Without it, the first request of each kind in each worker paid for compiling its
templates (10-30 ms a page), the first admin page for building the URL configuration's
reverse lookups (about 70 ms: the admin has hundreds of named URLs), and requests at
random for the garbage collector walking everything the process had built since it
started: a full collection took 60 ms in the middle of an API list. So a worker, once
started:

1. compiles into the cached template loader every template of the site, then those of
   the installed apps it renders (the admin's, the browsable API's, the history's);
2. resolves the URL configuration (importing every view) and builds the reverse lookups
   of every part of it, and those Django makes apart for reversing a namespaced name
   ("admin:index"), the admin's included;
3. moves everything built so far out of the collector's reach (`gc.freeze()`: modules,
   templates, settings are never garbage), so a collection walks only what requests
   built since.

It touches neither the database nor the cache: a worker starts, and answers 503, while
either is away (tracker/outage.py).
"""

import contextlib
import gc
import logging
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

log = logging.getLogger(__name__)
TEMPLATE_SUFFIXES = {".html", ".txt", ".xml"}


def _names_under(roots: list[Path]) -> list[str]:
    return sorted(
        {
            str(path.relative_to(root))
            for root in roots
            for path in root.rglob("*")
            if path.is_file() and path.suffix in TEMPLATE_SUFFIXES
        }
    )


def template_names() -> list[str]:
    """The site's own templates, by the names views load them with."""
    roots = [Path(directory) for directory in settings.TEMPLATES[0]["DIRS"]]
    roots += sorted(Path(settings.BASE_DIR, "tracker").glob("*/templates"))
    return _names_under(roots)


def app_template_names() -> list[str]:
    """The installed apps' templates that the site's do not override: every directory
    the template engine's loaders look in, less the site's own names."""
    (cached,) = engines["django"].engine.template_loaders
    roots = [Path(directory) for loader in cached.loaders for directory in loader.get_dirs()]
    own = set(template_names())
    return [name for name in _names_under(roots) if name not in own]


def build_reverse_lookups(resolver: URLResolver | None = None) -> int:
    """Build the reverse lookups of `resolver` (the root URL configuration) and of every
    resolver under it; Django builds a namespace's (the admin's) only on its first
    `reverse()`. Returns how many resolvers were built."""
    resolver = resolver or get_resolver()
    resolver.reverse_dict  # noqa: B018 (built on first access, for the active language)
    return 1 + sum(
        build_reverse_lookups(pattern) for pattern in resolver.url_patterns if isinstance(pattern, URLResolver)
    )


def build_namespace_lookups(resolver: URLResolver | None = None, path: str = "") -> int:
    """Build the resolvers Django reverses a namespaced name through ("admin:index"):
    for a namespace mounted under a path it makes a resolver of its own on the first
    such `reverse()` (`get_ns_resolver`, kept for the process) and builds that one's
    lookups afresh, 20-30 ms for the admin's, which the lookups above do not spare.
    Reversing a name no namespace has makes and builds it. Returns how many."""
    resolver = resolver or get_resolver()
    built = 0
    for namespace, (_prefix, child) in resolver.namespace_dict.items():
        with contextlib.suppress(NoReverseMatch):
            reverse(f"{path}{namespace}:warm-up-builds-this-namespace")
        built += 1 + build_namespace_lookups(child, f"{path}{namespace}:")
    return built


def _compile(names: list[str], failed) -> int:
    engine = engines["django"]
    compiled = 0
    for name in names:
        try:
            engine.get_template(name)
            compiled += 1
        except (TemplateDoesNotExist, TemplateSyntaxError):  # the worker starts; the page fails on use, as before
            failed("warm-up: template %s did not compile", name)
    return compiled


def warm_up() -> int:
    """Compile the templates, load the views, build the reverse lookups, freeze what
    exists; the number of templates compiled."""
    compiled = _compile(template_names(), log.warning)
    # An app's template may be for a library not installed here (django-filter's form
    # for crispy-forms): never rendered by this site, so no warning.
    compiled += _compile(app_template_names(), log.debug)
    build_reverse_lookups()
    build_namespace_lookups()
    gc.collect()
    gc.freeze()
    return compiled
