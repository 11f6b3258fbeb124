from django.core.management import call_command

from tracker.desk.models import Agreement, Claim, Evidence, Passage, Source


def test_generate_demo_makes_published_anchored_records_and_is_repeatable(db):
    call_command("generate_demo", claims=40, sources=10, verbosity=0)
    call_command("generate_demo", claims=40, sources=10, verbosity=0)
    assert Claim.objects.published().filter(slug__startswith="demo-").count() == 40
    for evidence in Evidence.objects.select_related("source"):
        assert evidence.source.text[evidence.start : evidence.end] == evidence.quote
    # Candidate evidence can search the demo sources.
    assert Passage.objects.filter(source__in=Source.objects.filter(slug__startswith="demo-")).count() > 10 * 8
    for claim in Claim.objects.select_related("source"):
        assert claim.source.text[claim.start : claim.end] == claim.quote
    # Each agreement's current status is derived from its steps, as the services derive it.
    assert not Agreement.objects.filter(slug__startswith="demo-", current_status="").exists()
