"""Review: seeds that can never be fetched are refused before anything is created."""

import pytest


@pytest.mark.parametrize("seed", ["http://127.0.0.1:99999/", "http://example.org:65536/news/"])
def test_seed_with_a_port_out_of_range_is_unusable_input(invoke, tmp_path, seed):
    result = invoke("capture", seed, "--collection", tmp_path / "coll", "--delay", "0")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"archiver: error: not an absolute http(s) URL: {seed!r}"]
    assert not (tmp_path / "coll").exists()


def test_seed_file_line_with_a_port_out_of_range_is_named(invoke, tmp_path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("https://example.org/\nhttps://example.org:70000/x\n")
    result = invoke("capture", "--seeds", seeds, "--collection", tmp_path / "coll")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"archiver: error: {seeds}:2: not an absolute http(s) URL: 'https://example.org:70000/x'"]
    assert not (tmp_path / "coll").exists()
