"""A stand-in for PhysioNet on 127.0.0.1: a folder laid out like physionet.org/files/.

``PhysioNetServer`` serves a folder over HTTP (``http.server`` in a thread,
port 0), answers byte ranges as PhysioNet does, counts every request and can
cut a file's first download in half. ``write_chbmit`` and ``write_eegmmidb``
lay out tiny datasets (EDF written by MNE's exporter, a seizure summary,
``SHA256SUMS.txt``).
"""

from __future__ import annotations

import hashlib
import http.server
import re
import threading
from pathlib import Path

import numpy as np

#: The excerpt of CHB-MIT's chb01-summary.txt (records 01 to 04) that the tests
#: parse. CHB-MIT Scalp EEG Database 1.0.0, PhysioNet, ODC-By 1.0: Guttag, J.
#: (2010), https://doi.org/10.13026/C2K01R; Shoeb, A. (2009), PhD thesis, MIT;
#: Goldberger, A. et al. (2000), Circulation 101(23):e215-e220.
CHB01_SUMMARY_EXCERPT = """\
Data Sampling Rate: 256 Hz
*************************

Channels in EDF Files:
**********************
Channel 1: FP1-F7
Channel 2: F7-T7
Channel 3: T7-P7
Channel 4: P7-O1
Channel 5: FP1-F3
Channel 6: F3-C3
Channel 7: C3-P3
Channel 8: P3-O1
Channel 9: FP2-F4
Channel 10: F4-C4
Channel 11: C4-P4
Channel 12: P4-O2
Channel 13: FP2-F8
Channel 14: F8-T8
Channel 15: T8-P8
Channel 16: P8-O2
Channel 17: FZ-CZ
Channel 18: CZ-PZ
Channel 19: P7-T7
Channel 20: T7-FT9
Channel 21: FT9-FT10
Channel 22: FT10-T8
Channel 23: T8-P8


File Name: chb01_01.edf
File Start Time: 11:42:54
File End Time: 12:42:54
Number of Seizures in File: 0

File Name: chb01_02.edf
File Start Time: 12:42:57
File End Time: 13:42:57
Number of Seizures in File: 0

File Name: chb01_03.edf
File Start Time: 13:43:04
File End Time: 14:43:04
Number of Seizures in File: 1
Seizure Start Time: 2996 seconds
Seizure End Time: 3036 seconds

File Name: chb01_04.edf
File Start Time: 14:43:12
File End Time: 15:43:12
Number of Seizures in File: 1
Seizure Start Time: 1467 seconds
Seizure End Time: 1494 seconds
"""

CHANNELS = ("FP1-F7", "F7-T7", "T7-P7", "P7-O1")


def make_edf(path: Path, seconds: float, sfreq: float = 256.0, seed: int = 0, ch_names=CHANNELS):
    """Write a small EDF of noise-like EEG (no annotations), tens of µV."""
    import mne

    rng = np.random.default_rng(seed)
    n = int(round(seconds * sfreq))
    data = np.cumsum(rng.standard_normal((len(ch_names), n)), axis=1)
    data = (data - data.mean(axis=1, keepdims=True)) * 2e-6
    raw = mne.io.RawArray(data, mne.create_info(list(ch_names), sfreq, "eeg"), verbose="error")
    path.parent.mkdir(parents=True, exist_ok=True)
    mne.export.export_raw(path, raw, fmt="edf", overwrite=True, verbose="error")
    return path


def write_sums(root: Path) -> dict[str, str]:
    """Write ``root/SHA256SUMS.txt`` for every file under root, as PhysioNet publishes it."""
    sums = {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "SHA256SUMS.txt"
    }
    (root / "SHA256SUMS.txt").write_text("".join(f"{h}  {k}\n" for k, h in sums.items()))
    return sums


def write_chbmit(files: Path, records: dict[str, float], summary: str) -> Path:
    """Lay out ``files/chbmit/1.0.0/chb01/`` with one EDF per record, a summary and sums.

    ``records`` maps a record name (``chb01_03``) to its length in seconds.
    """
    root = files / "chbmit" / "1.0.0"
    for i, (name, seconds) in enumerate(records.items()):
        subject = name.split("_")[0]
        make_edf(root / subject / f"{name}.edf", seconds, seed=i)
    (root / "chb01" / "chb01-summary.txt").write_text(summary)
    (root / "chb01" / "chb01_03.edf.seizures").write_bytes(b"\x00X\x17\xfc## time resolution")
    (root / "RECORDS").write_text("".join(f"chb01/{n}.edf\n" for n in records))
    write_sums(root)
    return root


def write_eegmmidb(files: Path, runs=(3, 7), seconds: float = 20.0) -> Path:
    """Lay out ``files/eegmmidb/1.0.0/S001/S001Rnn.edf`` (160 Hz) and its sums."""
    root = files / "eegmmidb" / "1.0.0"
    for run in runs:
        make_edf(root / "S001" / f"S001R{run:02d}.edf", seconds, sfreq=160.0, seed=run)
    write_sums(root)
    return root


class _Handler(http.server.BaseHTTPRequestHandler):
    """GET of files under the server's folder, with byte ranges, counted."""

    def do_GET(self):
        server = self.server
        rng = self.headers.get("Range")
        with server.lock:
            server.requests.append((self.path, rng))
        if not server.ranges:
            rng = None
        path = server.root / self.path.lstrip("/")
        if ".." in self.path or not path.is_file():
            self.send_error(404, "Not Found")
            return
        data = server.replace.get(self.path) or path.read_bytes()
        start = 0
        if rng:
            m = re.fullmatch(r"bytes=(\d+)-", rng)
            start = int(m.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with server.lock:
            cut = self.path in server.cut_once
            server.cut_once.discard(self.path)
        if cut:
            # Half the bytes, then the connection closes (HTTP/1.0: it closes on return).
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            return
        self.wfile.write(body)

    def log_message(self, format, *args):  # quiet
        pass


class PhysioNetServer:
    """Serve ``root`` (holding ``<dataset>/<version>/...``) on 127.0.0.1 at a free port.

    Attributes
    ----------
    requests : list of (str, str | None)
        Every GET: the path and its Range header.
    cut_once : set of str
        Paths whose next download stops after half its bytes.
    replace : dict of str to bytes
        Paths served with other bytes than the file's.
    ranges : bool
        Whether Range requests are answered (206), or ignored (the whole file, 200).
    """

    def __init__(self, root: Path):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.root = Path(root)
        self.httpd.requests = self.requests = []
        self.httpd.cut_once = self.cut_once = set()
        self.httpd.replace = self.replace = {}
        self.httpd.ranges = True
        self.httpd.lock = threading.Lock()
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def ranges(self) -> bool:
        return self.httpd.ranges

    @ranges.setter
    def ranges(self, value: bool) -> None:
        self.httpd.ranges = value

    @property
    def origin(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, dataset: str, version: str = "1.0.0") -> str:
        """The dataset's folder on this server, as PhysioNet's files/<dataset>/<version>/."""
        return f"{self.origin}/{dataset}/{version}/"

    def gets(self, suffix: str = "") -> list[tuple[str, str | None]]:
        with self.httpd.lock:
            return [r for r in self.requests if r[0].endswith(suffix)]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


def direct_to_localhost(monkeypatch) -> None:
    """Send requests to 127.0.0.1 past any proxy the environment names."""
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
