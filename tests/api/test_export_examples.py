"""The README's examples that stream the export (Python, JavaScript) run as written
against a live server and read every published record to the end line."""

import os
import re
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

from tracker.desk.choices import State


def readme_example(language: str) -> str:
    readme = (settings.BASE_DIR / "README.md").read_text()
    section = readme.split("### Reading the export as a stream", 1)[1].split("\n### ", 1)[0]
    return re.search(rf"```{language}\n(.*?)```", section, re.S).group(1)


@pytest.fixture
def exported(live_server, published_claim, make_claim, partner_key):
    published_claim(slug="in-the-export")
    make_claim(slug="a-draft", state=State.DRAFT)
    return {**os.environ, "API": f"{live_server.url}/api/v1", "KEY": f"Api-Key {partner_key[1]}"}


def run(command: list[str], env: dict, tmp_path) -> str:
    done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_python_example_streams_the_export_to_its_end(exported, tmp_path):
    script = tmp_path / "export.py"
    script.write_text(readme_example("python"))

    out = run([sys.executable, str(script)], exported, tmp_path)

    # The claim, its source and the people, parties, topics it needs: all but the draft.
    assert re.fullmatch(r"\d+ records; sync from \S+\n", out)
    assert int(out.split()[0]) >= 2


def test_the_javascript_example_streams_the_export_to_its_end(exported, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed.")
    script = tmp_path / "export.mjs"
    script.write_text(readme_example("js"))

    out = run([node, str(script)], exported, tmp_path)

    python = run([sys.executable, "-c", readme_example("python")], exported, tmp_path)
    assert re.fullmatch(r"\d+ records; sync from \S+\n", out)
    assert out.split()[0] == python.split()[0]  # the same records
