"""A server worker's warm-up (tracker/warmup.py, run by gunicorn.conf.py)."""

import gc
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.template import engines

from tracker import warmup


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


def test_every_template_of_the_site_compiles_and_what_exists_is_frozen(unfrozen):
    names = warmup.template_names()
    assert {"base.html", "public/search.html", "api/swagger_ui.html"} <= set(names)
    apps = warmup.app_template_names()
    assert {"admin/change_list.html", "admin/change_form.html", "rest_framework/api.html"} <= set(apps)
    assert not set(names) & set(apps)  # a site template overriding an app's is compiled once, as the site's

    # Every one but django-filter's crispy-forms form (crispy-forms is not installed).
    assert warmup.warm_up() == len(names) + len(apps) - 1
    assert gc.get_freeze_count() > 0


def test_the_compiled_templates_are_kept_by_the_cached_loader(unfrozen):
    warmup.warm_up()
    (loader,) = engines["django"].engine.template_loaders
    kept = set(loader.get_template_cache)
    assert {"base.html", "public/search.html", "admin/base_site.html", "admin/change_list.html"} <= kept


PROBE = """
import django
django.setup()
from django.urls import URLResolver, get_resolver
from tracker.warmup import warm_up

def resolvers(resolver):
    yield resolver
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from resolvers(pattern)

before = any(r._populated for r in resolvers(get_resolver()))
warm_up()
print(before, all(r._populated for r in resolvers(get_resolver())))
"""


def test_the_reverse_lookups_of_every_namespace_are_built():
    # In a new process: this one's resolvers were built by the tests before this one.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings"}
    probe = subprocess.run([sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=env, capture_output=True,
                           text=True, check=True)  # fmt: skip
    # Django builds a resolver's lookups on its first reverse() through it (the admin's:
    # hundreds of names); the warm-up has built every one.
    assert probe.stdout.split() == ["False", "True"]


NAMESPACED = """
import django
django.setup()
from django.urls import URLResolver, reverse
from tracker.warmup import warm_up

warm_up()
built = []
populate = URLResolver._populate
URLResolver._populate = lambda self: built.append(self) or populate(self)
reverse("admin:index")
reverse("admin:desk_claim_changelist")
reverse("public:claim", args=["a-claim"])
print(len(built))
"""


def test_a_worker_reverses_namespaced_names_without_building_anything():
    # Django reverses "admin:index" through a resolver of the namespace's own, made and
    # built on the first such reverse (20-30 ms of the first admin page); in a new process.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings"}
    probe = subprocess.run([sys.executable, "-c", NAMESPACED], cwd=settings.BASE_DIR, env=env, capture_output=True,
                           text=True, check=True)  # fmt: skip
    assert probe.stdout.split() == ["0"]
