"""Adding a source: paste or upload text; duplicates are pointed to; non-text is refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tracker.desk.models import Source
from tracker.desk.uploads import UploadRefused, html_to_text, text_from_upload

ADD = "/admin/desk/source/add/"


def _form(**fields) -> dict:
    data = {
        "title": "Readout",
        "publisher": "Prime Minister of Canada",
        "kind": "official",
        "reliability": "primary",
        "published_precision": "unknown",
        "language": "en",
        "text": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def reporter_client(login, make_staff):
    return login(make_staff("Reporter"))


def test_a_pasted_text_is_archived_as_a_draft_and_opens_its_reading_page(reporter_client):
    pasted = "The first line of the readout.\r\n\r\n\r\nThe   second line of the readout.  "
    response = reporter_client.post(ADD, _form(text=pasted))
    source = Source.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/desk/source/{source.pk}/read/"
    expected = "The first line of the readout.\n\nThe second line of the readout."
    assert (source.text, source.state, source.slug) == (expected, "draft", "readout")
    assert [p.text for p in source.passages.all()] == expected.split("\n\n")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("readout.txt", b"Plain text.\nSecond line.", "Plain text.\nSecond line."),
        ("notes.md", b"# Heading\n\nA *marked* line.", "# Heading\n\nA *marked* line."),
        (
            "page.html",
            b"<html><head><title>x</title><style>p{color:red}</style></head><body><h1>Title &amp; more</h1>"
            b"<p>First <b>para</b>\ncontinued.</p><script>alert(1)</script><ul><li>One</li><li>Two</li></ul></body>",
            "Title & more\n\nFirst para continued.\n\nOne\n\nTwo",
        ),
    ],
)
def test_an_uploaded_text_file_becomes_the_archived_text(reporter_client, name, content, expected):
    response = reporter_client.post(ADD, _form(upload=SimpleUploadedFile(name, content)))
    assert response.status_code == 302
    assert Source.objects.get().text == expected


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", b"%PDF-1.7 binary", "is not a .txt, .md or .html file"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a text file"),
        ("latin.txt", "Café crème".encode("latin-1"), "is not UTF-8 text"),
        ("empty.html", b"<html><script>only()</script></html>", "holds no text"),
    ],
)
def test_a_file_that_is_not_text_is_refused_with_a_message(reporter_client, name, content, message):
    response = reporter_client.post(ADD, _form(upload=SimpleUploadedFile(name, content)))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Source.objects.exists()


def test_a_source_needs_a_text(reporter_client):
    response = reporter_client.post(ADD, _form(text="   "))
    assert "Paste the document&#x27;s text or upload it as a file." in response.content.decode()
    assert not Source.objects.exists()


def test_a_duplicate_text_is_pointed_to_and_not_created_twice(reporter_client, make_source):
    existing = make_source()
    response = reporter_client.post(ADD, _form(title="Same again", text=existing.text + "\n\n"))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'This text is already archived as <a href="/admin/desk/source/{existing.pk}/change/">' in page
    assert Source.objects.count() == 1


def test_a_duplicate_url_is_pointed_to_and_not_created_twice(reporter_client, make_source):
    existing = make_source(url="https://example.org/readout", title="The <first> readout")
    response = reporter_client.post(ADD, _form(url="https://example.org/readout", text="A different text."))
    page = response.content.decode()
    assert f'This URL is already archived as <a href="/admin/desk/source/{existing.pk}/change/">' in page
    assert "The &lt;first&gt; readout" in page
    assert Source.objects.count() == 1


def test_html_reduction_drops_scripts_and_styles_and_keeps_blocks_apart():
    text = html_to_text("<div>One<br>Two</div><style>x</style><noscript>no</noscript><p>Three&nbsp;four</p>")
    assert text == "One\nTwo\n\nThree four"


def test_an_upload_with_no_name_or_suffix_is_refused():
    with pytest.raises(UploadRefused):
        text_from_upload("README", b"text")
