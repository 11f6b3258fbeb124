"""A server worker's warm-up (tracker/warmup.py, run by gunicorn.conf.py)."""

import gc

import pytest
from django.template import engines

from tracker import warmup


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


def test_every_template_of_the_site_compiles_and_what_exists_is_frozen(unfrozen):
    names = warmup.template_names()
    assert {"base.html", "public/search.html", "api/swagger_ui.html"} <= set(names)

    assert warmup.warm_up() == len(names)  # none failed to compile
    assert gc.get_freeze_count() > 0


def test_the_compiled_templates_are_kept_by_the_cached_loader(unfrozen):
    warmup.warm_up()
    (loader,) = engines["django"].engine.template_loaders
    kept = set(loader.get_template_cache)
    assert {"base.html", "public/search.html"} <= kept
