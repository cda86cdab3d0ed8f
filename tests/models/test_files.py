"""Files out: atomic writes and the checks every command makes before its work."""

import os

import pytest

from models._files import check_output, write_atomic


def test_write_atomic_replaces_whole_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    assert write_atomic(target, "new\n") == target
    assert target.read_text() == "new\n" and os.listdir(tmp_path) == ["out.txt"]


def test_write_atomic_keeps_the_old_file_when_the_write_fails(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_atomic(target, b"not text")  # fails inside, after the temporary exists
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["out.txt"]


def test_check_output_by_case(tmp_path):
    rec = tmp_path / "rec.edf"
    rec.write_bytes(b"EEG")
    link = tmp_path / "alias.edf"
    link.symlink_to(rec)
    keep = {"the input recording": rec}
    new = tmp_path / "found.csv"
    assert check_output(new, "--out", keep=keep) == new  # free: fine
    for path in (rec, link, tmp_path / "." / "rec.edf"):  # the input, by any name
        with pytest.raises(ValueError, match=r"is the input recording; it is never written"):
            check_output(path, "--out", keep=keep, overwrite=True)
    with pytest.raises(ValueError, match=r"^--out .* is a folder"):
        check_output(tmp_path, "--out")
    with pytest.raises(ValueError, match=r"the folder .*nope does not exist"):
        check_output(tmp_path / "nope" / "x.csv", "--out")
    new.write_text("x")
    with pytest.raises(ValueError, match=r"found.csv exists. Pass --overwrite"):
        check_output(new, "--out")
    assert check_output(new, "--out", overwrite=True) == new
    assert check_output(new, "--out", keep={"the store": None}, overwrite=True) == new
