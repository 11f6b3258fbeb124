"""The desk's clock: real time, except where the seed loader replays the seeded record's past."""

import datetime as dt

import pytest
from django.utils import timezone

from tracker.desk import clock, services
from tracker.desk.models import Person

PAST = timezone.make_aware(dt.datetime(2025, 11, 12, 12, 0))


def test_a_record_written_in_the_seeded_past_is_dated_then_and_synced_now(db, staff):
    before = timezone.now()
    with clock.seeded_at(PAST):
        person = services.record_create(model=Person, by=staff.editor, fields={"slug": "x", "name": "X"})
        person = services.record_publish(record=person, by=staff.editor)
    person = Person.objects.get(pk=person.pk)
    assert (person.created_at, person.first_published_at) == (PAST, PAST)
    assert {row.history_date for row in person.history.all()} == {PAST}
    assert person.updated_at >= before  # partners syncing on updated_at still see it
    assert clock.seeded_time() is None and clock.now() >= before


def test_the_seeded_time_never_outlives_its_block(db):
    with pytest.raises(RuntimeError), clock.seeded_at(PAST):
        assert clock.now() == PAST
        raise RuntimeError
    assert clock.seeded_time() is None
    with pytest.raises(ValueError, match="time zone"), clock.seeded_at(dt.datetime(2025, 11, 12)):
        pass
