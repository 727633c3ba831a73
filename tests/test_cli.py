from archiver.cli import COMMANDS


def test_help_lists_every_command(invoke):
    result = invoke("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_every_command_has_help_with_an_example(invoke):
    for name in COMMANDS:
        result = invoke(name, "--help")
        assert result.exit_code == 0, (name, result.output)
        assert "Example" in result.output, name


def test_unknown_command_is_a_usage_error(invoke):
    result = invoke("no-such-command")
    assert result.exit_code == 2
