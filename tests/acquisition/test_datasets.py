"""Datasets by name: downloads from a PhysioNet stand-in on 127.0.0.1, verified and resumed."""

import hashlib
import inspect
import json

import numpy as np
import pytest

from acquisition import datasets
from acquisition.datasets import (
    ChecksumMismatchError,
    DatasetError,
    DownloadError,
    DownloadInterruptedError,
    RemoteFileNotFoundError,
    chbmit_seizure_excerpts,
    default_dataset_dir,
    fetch_dataset,
    load_chbmit,
    load_eegmmidb,
    parse_chbmit_summary,
    read_sha256sums,
    subject_name,
)
from tests.acquisition.physionet_server import (
    CHB01_SUMMARY_EXCERPT,
    PhysioNetServer,
    direct_to_localhost,
    write_chbmit,
    write_eegmmidb,
)

# The served case's summary, in CHB-MIT's format (both ways of numbering seizures).
SUMMARY = """\
Data Sampling Rate: 256 Hz
*************************

File Name: chb01_01.edf
File Start Time: 11:42:54
File End Time: 11:43:34
Number of Seizures in File: 0

File Name: chb01_03.edf
File Start Time: 13:43:04
File End Time: 13:44:04
Number of Seizures in File: 1
Seizure Start Time: 20 seconds
Seizure End Time: 30 seconds

File Name: chb01_04.edf
File Start Time: 14:43:12
File End Time: 14:43:52
Number of Seizures in File: 2
Seizure 1 Start Time: 5 seconds
Seizure 1 End Time: 12 seconds
Seizure 2 Start Time: 18 seconds
Seizure 2 End Time: 31 seconds
"""
RECORDS = {"chb01_01": 40.0, "chb01_03": 60.0, "chb01_04": 40.0}
EDF03 = "/chbmit/1.0.0/chb01/chb01_03.edf"


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def _direct_to_localhost(monkeypatch):
    direct_to_localhost(monkeypatch)


@pytest.fixture
def files(tmp_path):
    """The served folder (physionet.org/files/ stand-in) with chbmit and eegmmidb."""
    out = tmp_path / "files"
    write_chbmit(out, RECORDS, SUMMARY)
    write_eegmmidb(out)
    return out


@pytest.fixture
def server(files):
    srv = PhysioNetServer(files)
    yield srv
    srv.close()


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def _leftovers(root):
    """Files in the cache that are neither published names nor SHA256SUMS.txt."""
    sums = read_sha256sums(root / "SHA256SUMS.txt")
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).as_posix() not in {*sums, "SHA256SUMS.txt"}
    )


# ---------------------------------------------------------------------------
# Download and verify


def test_fetch_downloads_sums_first_then_verified_files(server, files, cache):
    fetched = fetch_dataset("chbmit", "chb01", ["03"], path=cache, base_url=server.url("chbmit"))
    root = cache / "chbmit" / "1.0.0"
    assert fetched.root == root and fetched.folder == root / "chb01"
    assert fetched.records == {"chb01_03": root / "chb01" / "chb01_03.edf"}
    assert fetched.summary == root / "chb01" / "chb01-summary.txt"
    assert server.requests[0] == ("/chbmit/1.0.0/SHA256SUMS.txt", None)
    got = sorted(p for p, _ in server.requests)
    assert got == sorted(
        "/chbmit/1.0.0/" + f
        for f in (
            "SHA256SUMS.txt",
            "chb01/chb01-summary.txt",
            "chb01/chb01_03.edf",
            "chb01/chb01_03.edf.seizures",
        )
    )
    for path in fetched.files:  # byte-identical to the served files
        assert _sha(path) == _sha(files / path.relative_to(cache))
    assert set(fetched.downloaded) == set(fetched.files)
    assert fetched.downloaded_bytes == sum(p.stat().st_size for p in fetched.files)
    assert _leftovers(root) == []  # no temporary or partial file


def test_second_call_downloads_nothing(server, cache):
    kwargs = dict(path=cache, base_url=server.url("chbmit"))
    first = fetch_dataset("chbmit", 1, "03,04", **kwargs)
    n = len(server.requests)
    second = fetch_dataset("chbmit", "chb01", ["chb01_03", 4], **kwargs)
    assert len(server.requests) == n  # not even SHA256SUMS.txt
    assert second.downloaded == () and second.downloaded_bytes == 0
    assert second.files == first.files and list(second.records) == ["chb01_03", "chb01_04"]


def test_a_damaged_file_in_the_cache_is_downloaded_again(server, files, cache, caplog):
    kwargs = dict(path=cache, base_url=server.url("chbmit"))
    fetched = fetch_dataset("chbmit", "chb01", "03", **kwargs)
    edf = fetched.records["chb01_03"]
    edf.write_bytes(edf.read_bytes()[:-10] + b"0123456789")
    again = fetch_dataset("chbmit", "chb01", "03", **kwargs)
    assert again.downloaded == (edf,)
    assert _sha(edf) == _sha(files / "chbmit/1.0.0/chb01/chb01_03.edf")
    assert "did not match its published SHA-256" in caplog.text


def test_eegmmidb_runs_by_number(server, files, cache):
    fetched = fetch_dataset("eegmmidb", 1, [3], path=cache, base_url=server.url("eegmmidb"))
    assert fetched.subject == "S001"
    assert fetched.records == {"S001R03": cache / "eegmmidb/1.0.0/S001/S001R03.edf"}
    assert [p for p, _ in server.requests] == [
        "/eegmmidb/1.0.0/SHA256SUMS.txt",
        "/eegmmidb/1.0.0/S001/S001R03.edf",
    ]
    runs = load_eegmmidb("S001", "R03,7", path=cache, base_url=server.url("eegmmidb"))
    assert [name for name, _ in runs] == ["S001R03", "S001R07"]
    assert runs[0][1].info["sfreq"] == 160.0 and runs[0][1].n_times == 20 * 160


def test_progress_bar_names_the_file(server, cache, capsys):
    fetch_dataset("eegmmidb", 1, [3], path=cache, base_url=server.url("eegmmidb"), progressbar=True)
    err = capsys.readouterr().err
    assert "S001/S001R03.edf" in err and "100%" in err


# ---------------------------------------------------------------------------
# Resume, mismatch, missing files


def test_interrupted_download_keeps_a_part_file_and_the_next_call_resumes(server, files, cache):
    server.cut_once.add(EDF03)  # half the bytes, then the connection closes
    kwargs = dict(path=cache, base_url=server.url("chbmit"))
    with pytest.raises(DownloadInterruptedError) as exc:
        fetch_dataset("chbmit", "chb01", "03", **kwargs)
    final = cache / "chbmit/1.0.0/chb01/chb01_03.edf"
    part = final.with_name("chb01_03.edf.part")
    size = (files / EDF03.lstrip("/")).stat().st_size
    kept = part.stat().st_size
    assert not final.exists()
    assert 0 < kept < size and exc.value.received == kept and exc.value.fname == str(part)
    msg = str(exc.value)
    assert "chb01/chb01_03.edf" in msg and f"{kept} of {size} bytes" in msg
    assert str(part) in msg and "fetch again to resume" in msg
    assert _leftovers(cache / "chbmit/1.0.0") == ["chb01/chb01_03.edf.part"]

    fetched = fetch_dataset("chbmit", "chb01", "03", **kwargs)
    assert server.gets("chb01_03.edf")[-1] == (EDF03, f"bytes={kept}-")
    assert _sha(fetched.records["chb01_03"]) == _sha(files / EDF03.lstrip("/"))
    assert not part.exists() and _leftovers(cache / "chbmit/1.0.0") == []


def test_resume_when_the_server_ignores_ranges_starts_over(server, files, cache):
    kwargs = dict(path=cache, base_url=server.url("chbmit"))
    part = cache / "chbmit/1.0.0/chb01/chb01_03.edf.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"bytes of some other file")
    served = files / EDF03.lstrip("/")
    server.ranges = False  # the whole file again, with 200
    fetched = fetch_dataset("chbmit", "chb01", "03", **kwargs)
    assert server.gets("chb01_03.edf") == [(EDF03, "bytes=24-")]
    assert _sha(fetched.records["chb01_03"]) == _sha(served)


def test_a_complete_part_file_is_used_when_the_range_is_refused(server, files, cache):
    served = files / EDF03.lstrip("/")
    part = cache / "chbmit/1.0.0/chb01/chb01_03.edf.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(served.read_bytes())  # whole, but never moved into place
    fetched = fetch_dataset("chbmit", "chb01", "03", path=cache, base_url=server.url("chbmit"))
    assert server.gets("chb01_03.edf") == [(EDF03, f"bytes={served.stat().st_size}-")]
    assert _sha(fetched.records["chb01_03"]) == _sha(served) and not part.exists()


def test_checksum_mismatch_names_file_and_both_hashes_and_keeps_nothing(server, files, cache):
    served = files / EDF03.lstrip("/")
    published = _sha(served)
    altered = bytearray(served.read_bytes())
    altered[-1] ^= 0xFF
    server.replace[EDF03] = bytes(altered)
    kwargs = dict(path=cache, base_url=server.url("chbmit"))
    with pytest.raises(ChecksumMismatchError) as exc:
        fetch_dataset("chbmit", "chb01", "03", **kwargs)
    got = hashlib.sha256(bytes(altered)).hexdigest()
    final = cache / "chbmit/1.0.0/chb01/chb01_03.edf"
    msg = str(exc.value)
    assert exc.value.expected == published and exc.value.got == got
    assert f"expected {published}, got {got}" in msg
    assert "chb01/chb01_03.edf" in msg and server.url("chbmit") in msg
    assert f"Nothing was kept under {final}" in msg and "Fetch it again" in msg
    assert isinstance(exc.value, DatasetError) and isinstance(exc.value, ValueError)
    assert not final.exists() and _leftovers(cache / "chbmit/1.0.0") == []

    del server.replace[EDF03]  # the server's copy is mended: the next call succeeds
    assert _sha(fetch_dataset("chbmit", "chb01", "03", **kwargs).records["chb01_03"]) == published


def test_404_names_the_url(server, files, cache):
    (files / EDF03.lstrip("/")).unlink()  # listed in SHA256SUMS.txt, gone from the server
    with pytest.raises(RemoteFileNotFoundError) as exc:
        fetch_dataset("chbmit", "chb01", "03", path=cache, base_url=server.url("chbmit"))
    assert f"{server.url('chbmit')}chb01/chb01_03.edf was not found" in str(exc.value)
    assert "HTTP 404" in str(exc.value) and exc.value.url.endswith("chb01/chb01_03.edf")
    assert not (cache / "chbmit/1.0.0/chb01/chb01_03.edf").exists()
    assert _leftovers(cache / "chbmit/1.0.0") == []


def test_a_wrong_base_url_names_the_missing_sums(server, cache):
    url = server.url("chbmit", "9.9.9")
    with pytest.raises(RemoteFileNotFoundError, match=f"{url}SHA256SUMS.txt was not found"):
        fetch_dataset("chbmit", "chb01", path=cache, base_url=url)
    assert not (cache / "chbmit/1.0.0/SHA256SUMS.txt").exists()


def test_a_server_that_is_gone_is_named(server, cache):
    url = server.url("chbmit")
    server.close()
    with pytest.raises(DownloadError, match="could not be reached") as exc:
        fetch_dataset("chbmit", "chb01", path=cache, base_url=url)
    assert f"{url}SHA256SUMS.txt" in str(exc.value)


def test_download_false_uses_only_the_cache(server, cache):
    with pytest.raises(FileNotFoundError, match="SHA256SUMS.txt is not in the cache"):
        fetch_dataset("chbmit", "chb01", "03", path=cache, download=False)
    fetch_dataset("chbmit", "chb01", "03", path=cache, base_url=server.url("chbmit"))
    n = len(server.requests)
    assert fetch_dataset("chbmit", "chb01", "03", path=cache, download=False).downloaded == ()
    with pytest.raises(FileNotFoundError, match="chb01_04.edf is not in the cache"):
        fetch_dataset("chbmit", "chb01", "04", path=cache, download=False)
    assert len(server.requests) == n


def test_names_that_the_dataset_does_not_list(server, cache):
    kwargs = dict(path=cache, base_url=server.url("chbmit"))
    with pytest.raises(ValueError, match=r"no record '99' \(chb01_99.edf\).*chb01_01, chb01_03"):
        fetch_dataset("chbmit", "chb01", "99", **kwargs)
    with pytest.raises(ValueError, match="has no subject chb02"):
        fetch_dataset("chbmit", "chb02", **kwargs)
    with pytest.raises(ValueError, match="not a CHB-MIT case name"):
        fetch_dataset("chbmit", "patient", **kwargs)
    with pytest.raises(ValueError, match=r"Unknown dataset 'tuh'.*\['chbmit', 'eegmmidb'\]"):
        fetch_dataset("tuh", 1, path=cache)
    with pytest.raises(ValueError, match="not an http:// or https:// URL"):
        fetch_dataset("chbmit", 1, path=cache, base_url="physionet.org/files/chbmit/1.0.0")


def test_subject_names():
    assert subject_name("chbmit", 1) == subject_name("chbmit", "CHB1") == "chb01"
    assert subject_name("chbmit", "chb24") == "chb24"
    assert subject_name("eegmmidb", "1") == subject_name("eegmmidb", "s001") == "S001"
    assert subject_name("eegmmidb", 109) == "S109"
    with pytest.raises(ValueError, match="eegmmidb subject '0'"):
        subject_name("eegmmidb", 0)


def test_default_dataset_dir_follows_neucube_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("NEUCUBE_DATA_DIR", str(tmp_path / "data"))
    assert default_dataset_dir() == tmp_path / "data" / "datasets"
    monkeypatch.delenv("NEUCUBE_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if datasets.sys.platform.startswith("linux"):
        assert default_dataset_dir() == tmp_path / "xdg" / "neucube-eeg" / "datasets"


def test_fetch_without_path_uses_neucube_data_dir(server, monkeypatch, tmp_path):
    monkeypatch.setenv("NEUCUBE_DATA_DIR", str(tmp_path / "data"))
    fetched = fetch_dataset("eegmmidb", 1, [7], base_url=server.url("eegmmidb"))
    assert fetched.records["S001R07"] == tmp_path / "data/datasets/eegmmidb/1.0.0/S001/S001R07.edf"


def test_read_sha256sums_formats(tmp_path):
    sums = tmp_path / "SHA256SUMS.txt"
    a, b = "a" * 64, "B" * 64
    sums.write_text(f"{a}  ./S001R03.edf\n\n{b} *chb01/chb01-summary.txt\n")
    assert read_sha256sums(sums) == {"S001R03.edf": a, "chb01/chb01-summary.txt": "b" * 64}
    sums.write_text("<html>Not here</html>\n")
    with pytest.raises(ValueError, match=r"SHA256SUMS.txt' line 1 is not '<sha256>  <path>'"):
        read_sha256sums(sums)


def test_a_page_that_is_not_a_sums_list_is_not_kept(server, files, cache):
    (files / "chbmit/1.0.0/SHA256SUMS.txt").write_text("<html>maintenance</html>\n")
    with pytest.raises(DownloadError, match="is not a list of SHA-256 sums.*it was not kept"):
        fetch_dataset("chbmit", "chb01", path=cache, base_url=server.url("chbmit"))
    assert not (cache / "chbmit/1.0.0/SHA256SUMS.txt").exists()


# ---------------------------------------------------------------------------
# CHB-MIT summaries and seizure annotations


def test_parse_the_chb01_summary_by_hand():
    # From chb01-summary.txt: chb01_03 2996-3036 s, chb01_04 1467-1494 s, 01 and 02 none.
    seizures = parse_chbmit_summary(CHB01_SUMMARY_EXCERPT)
    assert list(seizures) == ["chb01_01", "chb01_02", "chb01_03", "chb01_04"]
    assert len(seizures["chb01_01"]) == len(seizures["chb01_02"]) == 0
    s03, s04 = seizures["chb01_03"], seizures["chb01_04"]
    assert list(s03.onset) == [2996.0] and list(s03.duration) == [40.0]
    assert list(s04.onset) == [1467.0] and list(s04.duration) == [27.0]
    assert list(s03.description) == list(s04.description) == ["seizure"]


def test_parse_numbered_seizures():
    seizures = parse_chbmit_summary(SUMMARY)
    s04 = seizures["chb01_04"]
    assert list(s04.onset) == [5.0, 18.0] and list(s04.duration) == [7.0, 13.0]
    assert list(seizures["chb01_03"].onset) == [20.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "File Name: chb01_03.edf\nNumber of Seizures in File: 2\n"
            "Seizure Start Time: 10 seconds\nSeizure End Time: 20 seconds\n",
            "x.txt line 2: chb01_03 declares 2 seizures but gives the times of 1",
        ),
        (
            "File Name: chb01_03.edf\nNumber of Seizures in File: 1\n"
            "Seizure Start Time: 30 seconds\nSeizure End Time: 20 seconds\n",
            "x.txt line 4: chb01_03's seizure ends at 20 s, not after its start at 30 s",
        ),
        (
            "File Name: chb01_03.edf\nNumber of Seizures in File: 1\n"
            "Seizure Start Time: 30 seconds\n\nFile Name: chb01_04.edf\n",
            "x.txt line 3: chb01_03 has a seizure start without an end",
        ),
        ("Seizure Start Time: 30 seconds\n", "x.txt line 1: a seizure time before any"),
        ("nothing here\n", "x.txt names no record"),
    ],
)
def test_parse_errors_name_the_line_and_record(text, message):
    with pytest.raises(ValueError, match=message):
        parse_chbmit_summary(text, source="x.txt")


def test_load_chbmit_annotates_seizures_and_fetches_only_seizure_records(server, cache):
    records = load_chbmit("chb01", seizures_only=True, path=cache, base_url=server.url("chbmit"))
    assert [name for name, _ in records] == ["chb01_03", "chb01_04"]
    assert not server.gets("chb01_01.edf")
    raw03, raw04 = records[0][1], records[1][1]
    assert raw03.n_times == 60 * 256 and raw03.ch_names[0] == "Fp1-F7"
    assert list(raw03.annotations.description) == ["seizure"]
    assert np.allclose(raw03.annotations.onset, [20.0])
    assert np.allclose(raw03.annotations.duration, [10.0])
    assert np.allclose(raw04.annotations.onset, [5.0, 18.0])
    assert np.allclose(raw04.annotations.duration, [7.0, 13.0])
    # A record without seizures keeps no annotation.
    ((name, raw01),) = load_chbmit(1, "01", path=cache, base_url=server.url("chbmit"))
    assert name == "chb01_01" and len(raw01.annotations) == 0


def test_seizure_excerpts_are_laid_out_for_the_seizure_evaluation(server, cache):
    from acquisition import read_raw

    folder = chbmit_seizure_excerpts("chb01", path=cache, base_url=server.url("chbmit"))
    assert folder == cache / "chbmit/1.0.0/excerpts/chb01-before10s"
    # 03: 20-30 s -> 10-30 s; 04: 5-12 s -> 0-12 s, 18-31 s -> 12-31 s (not into seizure 1).
    names = sorted(p.name for p in (folder / "edf").iterdir())
    assert names == ["chb01_03_10-30s.edf", "chb01_04_0-12s.edf", "chb01_04_12-31s.edf"]
    expected = {
        "chb01_03_10-30s.edf": (20.0, 10.0, 10.0),
        "chb01_04_0-12s.edf": (12.0, 5.0, 7.0),
        "chb01_04_12-31s.edf": (19.0, 6.0, 13.0),
    }
    for name, (length, onset, duration) in expected.items():
        raw = read_raw(folder / "edf" / name)
        assert raw.n_times == length * 256
        assert list(raw.annotations.description) == ["seizure"]
        assert np.allclose(raw.annotations.onset, [onset])
        assert np.allclose(raw.annotations.duration, [duration], atol=1 / 256)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [m["file"] for m in manifest] == list(expected)
    assert manifest[2]["seizure_in_original_record_s"] == [18.0, 31.0]
    assert manifest[2]["seizure_onset_in_file_s"] == 6.0

    stamps = {p: p.stat().st_mtime_ns for p in (folder / "edf").iterdir()}
    n = len(server.requests)
    assert chbmit_seizure_excerpts(1, path=cache, base_url=server.url("chbmit")) == folder
    assert {p: p.stat().st_mtime_ns for p in (folder / "edf").iterdir()} == stamps
    assert len(server.requests) == n
    assert sorted(p.name for p in folder.iterdir()) == ["edf", "manifest.json"]


def test_the_seizure_data_of_a_real_recording_survive_the_excerpt(server, files, cache):
    # The excerpt is MNE's EDF+ export of the record's samples: the same to 16-bit precision.
    from acquisition import read_raw

    folder = chbmit_seizure_excerpts(1, records=["03"], path=cache, base_url=server.url("chbmit"))
    whole = read_raw(files / EDF03.lstrip("/")).get_data()
    cut = read_raw(folder / "edf" / "chb01_03_10-30s.edf").get_data()
    assert cut.shape == (4, 20 * 256)
    step = np.ptp(whole, axis=1, keepdims=True) / 65535
    assert np.all(np.abs(cut - whole[:, 10 * 256 : 30 * 256]) <= 2 * step)


def test_public_names_documented():
    for name in datasets.__all__:
        obj = getattr(datasets, name)
        if inspect.isfunction(obj):
            doc = inspect.getdoc(obj)
            assert doc and "Returns\n-------" in doc, name
            params = inspect.signature(obj).parameters.values()
            if params:
                assert "Parameters\n----------" in doc, name
            assert all(p.annotation is not inspect.Parameter.empty for p in params), name
        elif inspect.isclass(obj):
            assert inspect.getdoc(obj), name
