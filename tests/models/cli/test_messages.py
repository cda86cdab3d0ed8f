"""Errors at the prompt name command-line options, never Python arguments or tracebacks."""

import pytest

from models.cli import main
from models.cli._messages import API_TO_CLI, cli_message
from sample_data import SEIZURE_EDF


def test_library_advice_is_put_in_command_line_terms():
    text = (
        "x.edf is truncated or damaged. Use a complete copy, or pass allow_truncated=True to "
        "read the complete records only. out.tsv exists. Pass overwrite=True to replace it."
    )
    said = cli_message(ValueError(text))
    assert "pass --allow-truncated to read" in said and "Pass --overwrite to replace" in said
    assert "=True" not in said
    for api, cli in API_TO_CLI:
        assert api not in cli_message(api) and cli in cli_message(api)


@pytest.fixture
def truncated(tmp_path):
    data = SEIZURE_EDF.read_bytes()
    path = tmp_path / "cut.edf"
    path.write_bytes(data[: int(len(data) * 0.6)])  # a copy cut short
    return path


def test_truncated_recording_names_the_option_that_reads_it(truncated, capsys):
    assert main(["detect", str(truncated), "--no-store", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "cut.edf" in err and "--allow-truncated" in err and "allow_truncated=" not in err


@pytest.mark.slow
def test_allow_truncated_reads_the_complete_records(truncated, capsys):
    assert main(["detect", str(truncated), "--no-store", "--quiet", "--allow-truncated"]) == 0
    out = capsys.readouterr().out
    assert "cut.edf" in out and "seizure" in out


def test_an_unexpected_error_is_one_line_without_a_traceback(monkeypatch, capsys):
    import models.cli.info as info

    def boom(args):
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(info, "cmd_info", boom)  # the parser is built at each call
    assert main(["info"]) == 1
    err = capsys.readouterr().err
    assert "unexpected error (RuntimeError): the disk went away" in err
    assert "--debug" in err and "Traceback" not in err
    with pytest.raises(RuntimeError):
        main(["--debug", "info"])
