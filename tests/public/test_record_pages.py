"""Agreement, meeting, person and party pages; the meetings index and its chart;
the methodology and corrections pages."""

import datetime as dt

from tracker.desk import services
from tracker.desk.choices import VERDICT_SCALE, AgreementStatus, State


def test_the_agreement_page_shows_parties_kind_binding_and_a_sourced_timeline(client, desk):
    content = client.get("/agreements/canada-korea-gsoia/").content.decode()
    assert "Republic of Korea" in content and "Information-security agreement" in content
    assert "Yes: a treaty or other binding instrument" in content
    timeline = content[content.index("Status timeline") :]
    assert timeline.index("June 2025") < timeline.index("29 October 2025")  # month precision, in order
    assert 'href="/sources/pm-readout-indo-pacific-2025/"' in content
    assert 'href="/meetings/carney-lee-gyeongju-2025/"' in content
    assert 'href="/claims/canada-korea-signed-defence-agreement/"' in content


def test_a_status_step_backed_by_an_unpublished_source_does_not_name_it(client, desk, make_source, staff):
    memo = make_source(title="Draft memo on the information agreement", state=State.DRAFT)
    step = {"status": AgreementStatus.SIGNED, "date": dt.date(2025, 11, 20), "source": memo}
    services.record_edit(record=desk["gsoia"], by=staff.editor, rows={"status_history": services.Rows(add=[step])})
    content = client.get("/agreements/canada-korea-gsoia/").content.decode()
    assert "20 November 2025" in content
    assert memo.title not in content
    assert "not yet published" in content


def test_the_meeting_page_shows_participants_place_and_outcomes(client, desk):
    content = client.get("/meetings/carney-lee-gyeongju-2025/").content.decode()
    assert "Mark Carney</a>, Prime Minister of Canada" in content
    assert "Lee Jae Myung</a>, President of the Republic of Korea" in content
    assert "Gyeongju, Republic of Korea" in content
    assert 'href="/agreements/canada-korea-gsoia/"' in content


def test_the_meetings_index_charts_meetings_per_counterpart_country(client, desk):
    response = client.get("/meetings/")
    content = response.content.decode()
    chart = response.context["chart"]
    assert [(bar.label, bar.count) for bar in chart.bars] == [("Republic of Korea", 3), ("China", 1), ("Thailand", 1)]
    assert (
        'role="img"' in content and '<desc id="chart-svg-desc">Republic of Korea: 3; China: 1; Thailand: 1' in content
    )
    assert '<th scope="row"><a href="?party=KR">Republic of Korea</a></th><td>3</td>' in content
    assert "October 2025" in content  # the timeline groups by month


def test_the_chart_follows_the_filters(client, desk):
    chart = client.get("/meetings/?party=CN").context["chart"]
    assert [(bar.label, bar.count) for bar in chart.bars] == [("China", 1)]


def test_the_person_page_shows_roles_meetings_agreements_and_claims(client, desk):
    content = client.get("/people/lee-jae-myung/").content.decode()
    assert "President of the Republic of Korea" in content
    assert 'href="/meetings/carney-lee-gyeongju-2025/"' in content
    assert 'href="/agreements/canada-korea-gsoia/"' in content
    assert 'href="/claims/korean-president-is-yoon/"' in content


def test_the_party_page_shows_people_meetings_agreements_and_claims(client, desk):
    content = client.get("/parties/KR/").content.decode()
    assert 'href="/people/lee-jae-myung/"' in content
    assert 'href="/meetings/carney-lee-gyeongju-2025/"' in content
    assert 'href="/agreements/canada-korea-security-defence-partnership/"' in content
    assert 'href="/claims/korean-president-is-yoon/"' in content


def test_the_methodology_page_defines_every_verdict_with_its_rating(client, db):
    content = client.get("/methodology/").content.decode()
    for verdict, scale in VERDICT_SCALE.items():
        assert f'id="verdict-{verdict}"' in content
        assert scale["definition"] in content
    assert "Rating 5 of 5." in content and "Rating 1 of 5." in content
    # "Unsupported" has no number (a 3 of 5 read as "half true"), nor "Not yet rated".
    assert "Rating 3 of 5." not in content
    unsupported = content.split('id="verdict-unsupported"', 1)[1].split("</dd>", 1)[0]
    assert "No number on the scale." in unsupported
    assert 'id="reliability"' in content and 'id="corrections-policy"' in content


def test_every_page_has_one_h1_landmarks_and_a_skip_link(client, desk):
    for url in ["/", "/claims/", "/claims/canada-korea-signed-defence-agreement/", "/sources/",
                "/sources/pm-readout-indo-pacific-2025/", "/agreements/", "/agreements/canada-korea-gsoia/",
                "/meetings/", "/meetings/carney-lee-gyeongju-2025/", "/people/mark-carney/", "/parties/KR/",
                "/search/?q=korea", "/corrections/", "/methodology/", "/no-such-page/"]:  # fmt: skip
        content = client.get(url).content.decode()
        assert content.count("<h1") == 1, url
        assert '<main id="main"' in content and "<header" in content and "<footer" in content, url
        assert 'href="#main">Skip to content' in content, url
        assert 'lang="en"' in content, url


def test_the_agreement_filter_is_a_menu_while_the_agreements_are_few(client, desk):
    content = client.get("/claims/").content.decode()

    assert '<select name="agreement"' in content
    assert '<option value="canada-korea-gsoia">' in content


def test_past_a_hundred_agreements_the_filter_is_a_text_box_naming_the_chosen_one(client, desk, monkeypatch):
    monkeypatch.setattr("tracker.public.lists.MENU_LIMIT", 1)

    empty = client.get("/claims/").content.decode()
    chosen = client.get("/claims/?agreement=canada-korea-gsoia").content.decode()

    assert '<select name="agreement"' not in empty
    assert '<input type="text" name="agreement"' in empty and 'aria-describedby="id_agreement_helptext"' in empty
    assert "as in /agreements/&lt;name&gt;/" in empty
    assert 'value="canada-korea-gsoia"' in chosen
    assert f"Showing: {desk['gsoia'].title}." in chosen
    assert 'href="/claims/canada-korea-signed-defence-agreement/"' in chosen


def test_an_agreement_page_links_to_all_claims_about_it(client, desk):
    content = client.get("/agreements/canada-korea-gsoia/").content.decode()

    assert 'href="/claims/?agreement=canada-korea-gsoia"' in content


def test_a_person_page_links_to_all_their_meetings(client, desk):
    content = client.get("/people/lee-jae-myung/").content.decode()

    assert 'href="/meetings/?person=lee-jae-myung"' in content
