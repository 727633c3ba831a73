"""Review: the audit log path is checked the same way by `audit` and `audit history`."""


def test_history_with_a_file_as_log_is_an_error_not_an_empty_history(invoke, tmp_path):
    log = tmp_path / "audit-log.txt"
    log.write_text("not a log folder\n")
    result = invoke("audit", "history", "--log", log)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"archiver: error: audit log {log} is not a directory"]
    assert log.read_text() == "not a log folder\n"

