"""``neucube fetch``: datasets by name from a PhysioNet stand-in on 127.0.0.1."""

import hashlib
import json
from pathlib import Path

import pytest

from models.cli import main
from tests.acquisition.physionet_server import (
    PhysioNetServer,
    direct_to_localhost,
    write_chbmit,
    write_eegmmidb,
)

SUMMARY = """\
File Name: chb01_01.edf
Number of Seizures in File: 0

File Name: chb01_03.edf
Number of Seizures in File: 1
Seizure Start Time: 20 seconds
Seizure End Time: 30 seconds

File Name: chb01_04.edf
Number of Seizures in File: 1
Seizure 1 Start Time: 5 seconds
Seizure 1 End Time: 12 seconds
"""
EDF03 = "/chbmit/1.0.0/chb01/chb01_03.edf"


@pytest.fixture(autouse=True)
def _direct_to_localhost(monkeypatch):
    direct_to_localhost(monkeypatch)


@pytest.fixture
def files(tmp_path):
    out = tmp_path / "files"
    write_chbmit(out, {"chb01_01": 20.0, "chb01_03": 40.0, "chb01_04": 20.0}, SUMMARY)
    write_eegmmidb(out, runs=(3, 7, 11), seconds=10.0)
    return out


@pytest.fixture
def server(files):
    srv = PhysioNetServer(files)
    yield srv
    srv.close()


def _fetch(capsys, server, cache, *argv, dataset="chbmit"):
    args = ["fetch", dataset, *argv, "--base-url", server.url(dataset), "--no-progress"]
    if cache is not None:
        args += ["--path", str(cache)]
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fetch_then_fetch_again_downloads_nothing_and_says_so(server, files, tmp_path, capsys):
    cache = tmp_path / "cache"
    code, out, _ = _fetch(capsys, server, cache, "--subject", "chb01", "--records", "03,04")
    assert code == 0
    root = cache / "chbmit" / "1.0.0"
    for rel in ("SHA256SUMS.txt", "chb01/chb01_03.edf", "chb01/chb01_04.edf"):
        assert _sha(root / rel) == _sha(files / "chbmit/1.0.0" / rel)
        assert f"downloaded  {rel}" in out
    assert "Records: chb01_03 (1 seizure), chb01_04 (1 seizure)" in out
    assert "Downloaded 5 of 5 files" in out and f"Folder: {root / 'chb01'}" in out
    n = len(server.requests)

    code, out, _ = _fetch(capsys, server, cache, "--subject", "1", "--records", "chb01_03,4")
    assert code == 0 and len(server.requests) == n
    assert "in cache    chb01/chb01_03.edf" in out
    assert "All 5 files were already in" in out and "nothing downloaded" in out


def test_eegmmidb_runs_json(server, tmp_path, capsys):
    cache = tmp_path / "cache"
    code, out, _ = _fetch(
        capsys, server, cache, "--subject", "1", "--runs", "3,11", "--json", dataset="eegmmidb"
    )
    assert code == 0
    result = json.loads(out)
    assert result["subject"] == "S001" and list(result["records"]) == ["S001R03", "S001R11"]
    assert result["folder"] == str(cache / "eegmmidb/1.0.0/S001")
    assert result["downloaded"] == 3 and all(f["downloaded"] for f in result["files"])
    assert not server.gets("S001R07.edf")


def test_seizures_only_and_the_default_cache(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NEUCUBE_DATA_DIR", str(tmp_path / "data"))
    code, out, _ = _fetch(capsys, server, None, "--subject", "chb01", "--seizures-only")
    assert code == 0 and "Records: chb01_03 (1 seizure), chb01_04 (1 seizure)" in out
    assert (tmp_path / "data/datasets/chbmit/1.0.0/chb01/chb01_04.edf").is_file()
    assert not server.gets("chb01_01.edf")


def test_progress_bars_go_to_stderr(server, tmp_path, capsys):
    code = main(
        ["fetch", "eegmmidb", "--subject", "1", "--runs", "3", "--path", str(tmp_path)]
        + ["--base-url", server.url("eegmmidb")]
    )
    out, err = capsys.readouterr()
    assert code == 0 and "S001/S001R03.edf" in err and "100%" in err
    assert "100%" not in out


def test_checksum_mismatch_exit_2_names_file_and_hashes(server, files, tmp_path, capsys):
    served = files / EDF03.lstrip("/")
    altered = b"not the published bytes" + served.read_bytes()[23:]
    server.replace[EDF03] = altered
    code, out, err = _fetch(capsys, server, tmp_path, "--subject", "chb01", "--records", "03")
    assert code == 2 and out == ""
    assert err.startswith("neucube fetch: error: chb01/chb01_03.edf downloaded from ")
    assert f"expected {_sha(served)}, got {hashlib.sha256(altered).hexdigest()}" in err
    assert "Nothing was kept under" in err and "Fetch it again" in err
    assert not (tmp_path / "chbmit/1.0.0/chb01/chb01_03.edf").exists()


def test_404_exit_2_names_the_url(server, files, tmp_path, capsys):
    (files / EDF03.lstrip("/")).unlink()
    code, _, err = _fetch(capsys, server, tmp_path, "--subject", "chb01", "--records", "03")
    assert code == 2
    assert f"{server.url('chbmit')}chb01/chb01_03.edf was not found on the server (HTTP 404)" in err


def test_interrupted_then_resumed(server, files, tmp_path, capsys):
    server.cut_once.add(EDF03)
    code, _, err = _fetch(capsys, server, tmp_path, "--subject", "chb01", "--records", "03")
    part = tmp_path / "chbmit/1.0.0/chb01/chb01_03.edf.part"
    assert code == 2 and "stopped after" in err and str(part) in err
    assert "fetch again to resume" in err and part.is_file()
    kept = part.stat().st_size

    code, out, _ = _fetch(capsys, server, tmp_path, "--subject", "chb01", "--records", "03")
    assert code == 0 and server.gets("chb01_03.edf")[-1] == (EDF03, f"bytes={kept}-")
    assert "downloaded  chb01/chb01_03.edf" in out and not part.exists()
    assert _sha(tmp_path / "chbmit/1.0.0/chb01/chb01_03.edf") == _sha(files / EDF03.lstrip("/"))


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--subject", "chb01", "--records", "77"], "no record '77' (chb01_77.edf)"),
        (["--subject", "chb09"], "chbmit 1.0.0 has no subject chb09"),
        (["--subject", "x1"], "chbmit subject 'x1' is not a CHB-MIT case name"),
    ],
)
def test_bad_names_exit_2(server, tmp_path, capsys, argv, says):
    code, _, err = _fetch(capsys, server, tmp_path, *argv)
    assert code == 2 and says in err


def test_seizures_only_is_for_chbmit(server, tmp_path, capsys):
    code, _, err = _fetch(
        capsys, server, tmp_path, "--subject", "1", "--seizures-only", dataset="eegmmidb"
    )
    assert code == 2 and "--seizures-only picks CHB-MIT records" in err
    assert server.requests == []


def test_help_lists_fetch(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "fetch" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["fetch", "--help"])
    out = capsys.readouterr().out
    for option in ("--subject", "--records", "--runs", "--path", "--base-url", "chbmit"):
        assert option in out


def test_fetched_excerpts_load_as_the_seizure_evaluation_reads_chbmit(server, tmp_path):
    # What `neucube evaluate --task seizure --dataset chbmit` runs on.
    from acquisition.datasets import chbmit_seizure_excerpts
    from models.evaluation.seizure import load_chbmit_seizures

    folder = chbmit_seizure_excerpts("chb01", path=tmp_path, base_url=server.url("chbmit"))
    records = load_chbmit_seizures(folder)
    edf = [(name, raw) for name, raw in records if not name.endswith("(+10 s)")]
    assert [name for name, _ in edf] == ["chb01_03", "chb01_04"]
    for _, raw in edf:
        assert list(raw.annotations.description) == ["seizure"]
    assert [round(raw.annotations.onset[0], 3) for _, raw in edf] == [10.0, 5.0]
    assert [raw.n_times / raw.info["sfreq"] for _, raw in edf] == [20.0, 12.0]


def test_evaluate_with_a_dataset_runs_on_what_was_fetched(server, tmp_path, monkeypatch, capsys):
    # The evaluations themselves are tested elsewhere; here, what they are given.
    from models.evaluation import motor, seizure

    seen = {}

    def fake_seizure(data, background, **kw):
        seen["seizure"] = [name for name, _ in seizure.load_chbmit_seizures(data)]
        return {"fake": True}

    def fake_motor(data, subject, **kw):
        seen["motor"] = (sorted(p.name for p in Path(data).glob("*.edf")), subject)
        return {"fake": True}

    monkeypatch.setattr(seizure, "evaluate_seizure", fake_seizure)
    monkeypatch.setattr(motor, "evaluate_motor", fake_motor)
    cache = str(tmp_path / "cache")
    base = ["evaluate", "--path", cache, "--json"]
    assert (
        main(
            [
                *base,
                "--task",
                "seizure",
                "--dataset",
                "chbmit",
                "--subject",
                "chb01",
                "--base-url",
                server.url("chbmit"),
            ]
        )
        == 0
    )
    assert [n for n in seen["seizure"] if not n.endswith("(+10 s)")] == ["chb01_03", "chb01_04"]
    assert (
        main(
            [
                *base,
                "--task",
                "motor",
                "--dataset",
                "eegmmidb",
                "--subject",
                "S001",
                "--base-url",
                server.url("eegmmidb"),
            ]
        )
        == 0
    )
    assert seen["motor"] == (["S001R03.edf", "S001R07.edf", "S001R11.edf"], 1)
    capsys.readouterr()
    # The wrong dataset for a task, both sources, or none, are refused before any download.
    for argv, says in (
        (["--task", "motor", "--dataset", "chbmit"], "does not serve --task motor"),
        (["--task", "seizure", "--dataset", "chbmit", "--data", "x"], "not both"),
        (["--task", "seizure"], "--dataset chbmit --subject"),
    ):
        n_requests = len(server.requests)
        assert main([*base, *argv]) == 2
        assert says in capsys.readouterr().err
        assert len(server.requests) == n_requests
