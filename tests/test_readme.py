"""The README is the front door: short, its examples true, its set-up commands CI's.

Every Python block runs as a script and prints what the README shows
(``tests/shown_output.py``: text and integers exactly, other numbers to a relative 1e-3).
"""

import re
from pathlib import Path

import pytest
from shown_output import check_example

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)
BASH_BLOCKS = re.findall(r"```bash\n(.*?)```", README, flags=re.S)


@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
def test_readme_python_block_prints_what_the_readme_shows(index, tmp_path):
    """Each Python block, saved as a script and run in an empty folder, prints what it shows."""
    result, problems = check_example(PYTHON_BLOCKS[index], tmp_path, f"block_{index}")
    assert problems == [], f"{problems}\n{result.stderr[-3000:]}"


def test_readme_shows_the_output_of_every_block():
    """Every Python block shows at least one checked output (no example left unchecked)."""
    assert len(PYTHON_BLOCKS) == 4
    assert all("# -> " in block for block in PYTHON_BLOCKS)


def test_readme_set_up_commands_are_what_ci_runs():
    """Every step of the README's two set-up commands is a step .ci/run executes."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert len(BASH_BLOCKS) == 2
    for block in BASH_BLOCKS:
        for step in block.strip().split(" && "):
            assert step in ci, step
    assert BASH_BLOCKS[1].strip() in ci  # the test command, verbatim


def test_readme_is_at_most_200_lines():
    """The README stays a front door (issue 28): the rest lives in docs/."""
    assert len(README.splitlines()) <= 200


def test_readme_links_point_at_files_that_exist():
    """Every relative link and picture of the README names a file of the repository."""
    targets = re.findall(r"\]\(([^)#]+)\)", README)
    relative = [t for t in targets if "://" not in t]
    assert len(relative) >= 10
    assert [t for t in relative if not (ROOT / t).exists()] == []
