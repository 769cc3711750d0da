"""The README is the front door: every Python block runs as a script; CI runs its commands."""

import re
from pathlib import Path

import pytest
from conftest import run_script

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)
BASH_BLOCKS = re.findall(r"```bash\n(.*?)```", README, flags=re.S)


@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
def test_readme_python_block_runs_as_a_script(index, tmp_path):
    """Each Python block, saved as a script and run in an empty folder, exits 0."""
    result = run_script(PYTHON_BLOCKS[index], tmp_path, f"block_{index}")
    assert result.returncode == 0, result.stderr[-3000:]


def test_readme_set_up_commands_are_what_ci_runs():
    """Every step of the README's two set-up commands is a step .ci/run executes."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert len(BASH_BLOCKS) == 2
    for block in BASH_BLOCKS:
        for step in block.strip().split(" && "):
            assert step in ci, step
    assert BASH_BLOCKS[1].strip() in ci  # the test command, verbatim
