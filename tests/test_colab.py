"""Colab, simulated: the set-up cell's Colab block (tools/colab_cell.py) and the course data
wherever the data folder is. A fake `google.colab` module, a fake pip that records what it is
asked to install (no network), a "Drive" folder that survives and a site folder that does not
(a new Colab session has forgotten every pip install)."""
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import numpy as np
import pytest

from tools.colab_cell import find_block, first_code_cell, instructor_block, student_block

ROOT = Path(__file__).resolve().parent.parent

FAKE_PIP = textwrap.dedent('''\
    import json, os, sys
    from pathlib import Path
    args = sys.argv[1:]
    with open(os.environ["FAKE_PIP_LOG"], "a") as log:
        log.write(json.dumps(args) + "\\n")
    target = Path(args[args.index("-e") + 1]).resolve().as_uri() if "-e" in args else args[-1]
    info = Path(os.environ["FAKE_SITE"]) / "numpy_dl_notebooks-0.1.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\\nName: numpy-dl-notebooks\\nVersion: 0.1.0\\n")
    if "-e" in args:
        record = {"url": target, "dir_info": {"editable": True}}
    else:  # pip install git+URL@REF records the revision asked for
        url, ref = target[4:].rsplit("@", 1)
        record = {"url": url, "vcs_info": {"vcs": "git", "requested_revision": ref, "commit_id": "0" * 40}}
    (info / "direct_url.json").write_text(json.dumps(record))
''')


def test_load_course_data_generates_the_sets_in_a_data_folder_set_by_npdl_data_dir(monkeypatch, tmp_path):
    """On Colab with NPDL_DATA_DIR on Drive: the course sets are generated there (this raised
    FileNotFoundError when only the user cache was generated into)."""
    from helpers.course_data import load_course_data

    monkeypatch.setenv("NPDL_DATA_DIR", str(tmp_path / "drive" / "npdl-data"))
    X_tr, y_tr, X_val, y_val = load_course_data("Peaks")
    assert (tmp_path / "drive" / "npdl-data" / "PeaksData.mat").is_file()
    np.testing.assert_array_equal(X_val, load_course_data("Peaks", ROOT / "data")[2])


@pytest.fixture
def colab(tmp_path):
    """(fakes folder, pip log): google.colab and pip stand-ins, first on PYTHONPATH."""
    fakes = tmp_path / "fakes"
    (fakes / "google" / "colab").mkdir(parents=True)
    (fakes / "google" / "__init__.py").write_text("")
    (fakes / "google" / "colab" / "__init__.py").write_text("")
    (fakes / "pip").mkdir()
    (fakes / "pip" / "__init__.py").write_text("")
    (fakes / "pip" / "__main__.py").write_text(FAKE_PIP)
    return fakes, tmp_path / "pip.log"


def _session(code, fakes, log, site, extra_env, runs=1):
    """One Colab session: a new process (the kernel) with a fresh site folder; `code` run `runs` times."""
    site.mkdir(parents=True, exist_ok=True)
    code = "\n".join(ln for ln in code.split("\n") if not ln.lstrip().startswith("%"))  # magics: IPython only
    program = "import google.colab\n" + "\n".join([f"exec(compile({code!r}, 'cell', 'exec'))"] * runs)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NPDL_DATA_DIR")}
    env.update(PYTHONPATH=os.pathsep.join([str(site), str(fakes)]), FAKE_PIP_LOG=str(log), FAKE_SITE=str(site),
               **extra_env)  # fmt: skip
    proc = subprocess.run([sys.executable, "-c", program], cwd=site, env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    calls = [json.loads(ln) for ln in log.read_text().splitlines()] if log.is_file() else []
    log.unlink(missing_ok=True)
    return proc.stdout, calls


def test_student_cell_through_two_sessions_with_the_clone_and_the_data_on_drive(colab, tmp_path):
    fakes, log = colab
    repo = tmp_path / "students-copy"  # the student's repository: this course's helpers and data
    shutil.copytree(ROOT / "helpers", repo / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "notebooks").mkdir()
    (repo / "notebooks" / "README").write_text("notebooks\n")
    for cmd in (["init", "-q"], ["add", "-A"], ["-c", "user.name=s", "-c", "user.email=s@x", "commit", "-qm", "mine"]):
        subprocess.run(["git", "-C", str(repo), *cmd], check=True, capture_output=True)
    drive = tmp_path / "drive" / "MyDrive"
    env = {"NPDL_COURSE_DIR": str(drive / "course"), "NPDL_DATA_DIR": str(drive / "npdl-data")}
    cell = student_block(repo.as_uri()) + textwrap.dedent("""
        import helpers
        from helpers.course_data import load_course_data
        print(helpers.__file__, load_course_data("Peaks")[0].shape)
    """)

    out, calls = _session(cell, fakes, log, tmp_path / "site1", env)
    assert calls == [["install", "-e", str(drive / "course")]], calls  # visible output: no -q
    assert out.split()[0] == str(drive / "course" / "helpers" / "__init__.py")
    assert (drive / "npdl-data" / "PeaksData.mat").is_file()
    mine = drive / "course" / "helpers" / "my_work.py"
    mine.write_text("DONE = True\n")  # the student's work, on Drive

    # the next day: a new session, the clone still on Drive, nothing installed any more
    out, calls = _session(cell, fakes, log, tmp_path / "site2", env, runs=2)
    assert calls == [["install", "-e", str(drive / "course")]], f"a new session must install again: {calls}"
    assert mine.read_text() == "DONE = True\n"  # not cloned over
    assert out.split()[0] == str(drive / "course" / "helpers" / "__init__.py")


def test_instructor_cell_installs_a_pinned_version_visibly_once_per_session(colab, tmp_path):
    fakes, log = colab
    block = instructor_block("v9.9.9")
    _, calls = _session(block, fakes, log, tmp_path / "site1", {}, runs=2)
    assert calls == [["install", "git+https://github.com/numpy-dl-notebooks/numpy-dl-notebooks@v9.9.9"]], calls
    _, calls = _session(block, fakes, log, tmp_path / "site2", {})
    assert len(calls) == 1, "a new session must install again"


def test_every_notebook_set_up_cell_holds_the_rendered_colab_block():
    """Written by `python -m tools.colab_cell --write notebooks/*.ipynb`; pinned, with pip's output."""
    expected = instructor_block()
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        source = nb.cells[first_code_cell(nb)].source
        span = find_block(source)
        assert span is not None and source[: span[1]] == expected, (
            f"{path.name}: its set-up cell's Colab block is not the rendered one; run "
            "python -m tools.colab_cell --write notebooks/*.ipynb"
        )
