"""Review: every expected usage error is one `archiver: error:` line with exit 2."""

import pytest


@pytest.mark.parametrize("args", [
    ("catalogue", "merge", "{missing}", "--out", "{tmp}/ds"),
    ("catalogue", "compact", "{missing}"),
    ("query", "{missing}", "SELECT 1"),
    ("record", "{missing}", "0"),
    ("package", "{tmp}"),  # --bag is required
    ("package", "{tmp}", "--bag", "{tmp}/b", "--workers", "0"),
])
def test_bad_arguments_get_one_error_line(invoke, tmp_path, args):
    args = [a.format(missing=tmp_path / "no-such-dir", tmp=tmp_path) for a in args]
    result = invoke(*args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("archiver: error: ")
    assert not (tmp_path / "ds").exists() and not (tmp_path / "b").exists()



def test_record_out_never_overwrites_an_existing_file(invoke, tmp_path):
    from catalogue_support import capture_sample_site

    collection = capture_sample_site(tmp_path / "coll")
    assert invoke("catalogue", "build", collection).exit_code == 0
    keep = tmp_path / "notes.txt"
    keep.write_text("my notes\n")
    result = invoke("record", collection, "0", "--out", keep)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"archiver: error: {keep} already exists; refusing to overwrite it"]
    assert keep.read_text() == "my notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coll", "notes.txt"]  # no temp file left
    assert invoke("record", collection, "0", "--out", tmp_path / "new.http").exit_code == 0


@pytest.mark.parametrize("sql", [
    "COPY (SELECT 1) TO '{target}'",
    "SELECT 1; COPY (SELECT 1) TO '{target}'",
    "CREATE TABLE t AS SELECT 1; COPY t TO '{target}'",
])
def test_query_never_writes_files(invoke, tmp_path, sql):
    pytest.importorskip("duckdb")
    from catalogue_support import capture_sample_site

    collection = capture_sample_site(tmp_path / "coll")
    assert invoke("catalogue", "build", collection).exit_code == 0
    target = collection / "warc" / "overwritten.warc.gz"
    result = invoke("query", collection, sql.format(target=target))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("archiver: error: archiver query runs only SELECT"), lines
    assert not target.exists()
    assert invoke("query", collection, "WITH n AS (SELECT count(*) AS c FROM records) SELECT c FROM n"
                  ).exit_code == 0


def test_output_piped_into_head_ends_quietly(tmp_path):
    """`archiver query ... | head -1`: the closed pipe is no error to report."""
    import os
    import subprocess
    import sys

    pytest.importorskip("duckdb")
    (tmp_path / "coll" / "warc").mkdir(parents=True)
    from pathlib import Path

    checkout = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [checkout, os.environ.get("PYTHONPATH")])))
    proc = subprocess.Popen([sys.executable, "-m", "archiver", "query", str(tmp_path / "coll"),
                             "SELECT range AS n FROM range(300000)"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141  # 128 + SIGPIPE, as a shell reports a tool killed by it
    assert stderr == ""


def test_package_help_names_the_out_it_talks_about(invoke):
    """The help says the bag goes 'at OUT' and 'OUT.tar': the option must be shown as --bag OUT."""
    result = invoke("package", "--help")
    assert result.exit_code == 0
    assert "--bag OUT" in result.output


@pytest.mark.parametrize("command", [("extract",), ("package", "--bag", "{tmp}/bag")])
def test_a_file_given_as_collection_is_called_a_file(invoke, tmp_path, command):
    notes = tmp_path / "notes.txt"
    notes.write_text("x\n")
    result = invoke(command[0], notes, *[a.format(tmp=tmp_path) for a in command[1:]])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"archiver: error: {notes}: not a collection directory (it is a file)"]
