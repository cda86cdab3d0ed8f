"""The app's trial view end to end over LSL: an EEG stream and a marker stream, both real.

In a real session a trial classifier (here a FamiliarityClassifier) gets its
stimulus markers from an LSL marker stream: the app's worker opens a
:class:`~acquisition.stream.MarkerInlet` on the stream named by
``SourceSpec(kind="lsl", markers=NAME)``. These tests send EEG and string
markers through real LSL outlets on this machine (mne-lsl's ``StreamOutlet``)
to the worker, then to the window's trial table, and check one prediction per
marker, on the marker's sample, equal to the classifier's offline
``predict_proba`` on the same epoch; and the bad cases: a marker stream that is
not there, markers sent before any EEG (and one stamped before the stream's
first sample).
"""

import logging
import time
import uuid

import numpy as np
import pytest

from acquisition import read_uci_epochs
from gui.worker import PipelineWorker, SourceSpec
from sample_data import SAMPLE_DIR

CHUNK = 32


@pytest.fixture(scope="module")
def trials(tmp_path_factory):
    """A FamiliarityClassifier fitted on half the bundled UCI trials, saved; the other half."""
    from models.trials.familiarity import FamiliarityClassifier

    X, y, _, ch_names, sfreq = read_uci_epochs(SAMPLE_DIR / "uci")
    clf = FamiliarityClassifier(ch_names, sfreq, target="numpy", random_state=0)
    clf.fit(X[::2] * 1e6, y[::2])
    model = clf.save(tmp_path_factory.mktemp("trial-model") / "familiarity.npz")
    test = np.arange(1, 12, 2)  # 6 held-out trials, back to back, one marker each
    return clf, model, X[test], y[test], ch_names, sfreq


class Streams:
    """An EEG outlet and a string marker outlet of unique names on this machine."""

    def __init__(self, ch_names, sfreq):
        from mne_lsl.lsl import StreamInfo, StreamOutlet

        tag = uuid.uuid4().hex[:12]
        self.name, self.marker_name = f"neucube-test-eeg-{tag}", f"neucube-test-markers-{tag}"
        info = StreamInfo(self.name, "eeg", len(ch_names), sfreq, "float64", self.name)
        info.set_channel_names(ch_names)
        info.set_channel_types(["eeg"] * len(ch_names))
        info.set_channel_units(["volts"] * len(ch_names))
        self.sfreq = sfreq
        self.eeg = StreamOutlet(info, chunk_size=CHUNK)
        self.markers = StreamOutlet(
            StreamInfo(self.marker_name, "Markers", 1, 0.0, "string", self.marker_name)
        )

    def spec(self):
        return SourceSpec(kind="lsl", name=self.name, source_id=self.name, markers=self.marker_name)

    def wait_for_consumers(self, alive):
        """Wait until the worker subscribed to both (a hang fails on the suite's timeout)."""
        while not (self.eeg.has_consumers and self.markers.has_consumers):
            assert alive(), "the worker ended before it subscribed to the streams"
            time.sleep(0.01)

    def close(self):
        self.eeg._del()
        self.markers._del()


def _drain(worker, got):
    """Move the worker's messages into ``got`` (kind -> list of payloads)."""
    while True:
        try:
            msg = worker.messages.get_nowait()
        except Exception:
            return got
        got.setdefault(msg.kind, []).append(msg.payload)


def _send_session(streams, X, y, step):
    """Send the trials as in a session; return the timestamp of each sample.

    Markers of trials 0 and 2, and one stamped 0.5 s before the stream's first
    sample, go out before any EEG; then the EEG in chunks; then the markers of
    trials 1, 3 and 5 (after all of their EEG), and of trial 4, 0.4 of a sample
    late. ``step()`` runs after each chunk (the window processes its events).
    """
    from mne_lsl.lsl import local_clock

    n = X.shape[2]
    data = np.concatenate(list(X), axis=1).T  # (n_samples, n_channels), volts
    stamps = local_clock() + 1.0 + np.arange(len(data)) / streams.sfreq
    streams.markers.push_sample(["too-early"], timestamp=stamps[0] - 0.5)
    for k in (0, 2):
        streams.markers.push_sample([str(y[k])], timestamp=stamps[k * n])
    for pos in range(0, len(data), CHUNK):
        streams.eeg.push_chunk(data[pos : pos + CHUNK], timestamp=stamps[pos : pos + CHUNK])
        step()
        time.sleep(0.002)
    for k in (1, 3, 5):
        streams.markers.push_sample([str(y[k])], timestamp=stamps[k * n])
    streams.markers.push_sample([str(y[4])], timestamp=stamps[4 * n] + 0.4 / streams.sfreq)
    return stamps


def _check_trials(trials_seen, clf, X, y, sfreq, stamps):
    """One trial per marker on its sample, classified as offline."""
    n = X.shape[2]
    assert len(trials_seen) == len(y), [t.marker for t in trials_seen]
    by_onset = sorted(trials_seen, key=lambda t: t.onset)
    expected = clf.predict_proba(X * 1e6)  # the same epochs, offline
    for k, trial in enumerate(by_onset):
        assert trial.marker == str(y[k])
        assert trial.onset == pytest.approx(k * n / sfreq)  # the marker's sample
        # the LSL time of that sample (within a quarter of a sample: clock sync)
        assert trial.marker_timestamp == pytest.approx(stamps[k * n], abs=0.25 / sfreq)
        assert trial.window == pytest.approx((k * n / sfreq, 0.6), abs=1 / sfreq)
        np.testing.assert_allclose(
            [trial.proba[str(c)] for c in clf.classes_], expected[k], atol=1e-12
        )
        assert trial.predicted == clf.classes_[expected[k].argmax()]
        assert trial.confidence == pytest.approx(expected[k].max(), abs=1e-12)
    return by_onset


@pytest.mark.slow
def test_worker_classifies_each_lsl_marker_on_its_sample(trials, caplog):
    clf, model, X, y, ch_names, sfreq = trials
    streams = Streams(ch_names, sfreq)
    worker = PipelineWorker(streams.spec(), model=str(model), db=False)
    got = {}
    try:
        with caplog.at_level(logging.WARNING, logger="neucube"):
            worker.start()
            streams.wait_for_consumers(lambda: worker.running)
            stamps = _send_session(streams, X, y, step=lambda: _drain(worker, got))
            while len(got.get("trial", [])) < len(y):
                assert worker.running, worker.error
                _drain(worker, got)
                time.sleep(0.01)
    finally:
        worker.stop()
        worker.join(30)
        streams.close()
    _drain(worker, got)
    assert worker.state == "stopped" and worker.error is None and "error" not in got
    # the worker said what it runs: a trial model on the LSL stream and its markers
    (ready,) = got["ready"]
    assert ready["mode"] == "trials" and ready["ch_names"] == list(ch_names)
    assert ready["source"] == f"LSL stream {streams.name!r}, markers {streams.marker_name!r}"
    # one prediction per marker, none for the one stamped before the stream began
    trials_seen = got["trial"]
    assert [t.index for t in trials_seen] == list(range(len(y)))
    _check_trials(trials_seen, clf, X, y, sfreq, stamps)
    assert any(
        "'too-early'" in r.getMessage() and "skipped" in r.getMessage() for r in caplog.records
    )
    # every trial also came as a frame for the cube and the rasters
    frames = [f for f in got["frame"] if f.trial is not None]
    assert [f.trial for f in frames] == trials_seen
    assert got["finished"][-1]["trials"] == len(y)


@pytest.mark.slow
def test_the_window_lists_each_lsl_marker_trial(qapp, trials, tmp_path):
    from gui.window import MainWindow

    clf, model, X, y, ch_names, sfreq = trials
    streams = Streams(ch_names, sfreq)
    # the app as a user runs it: the pipeline in a process of its own
    win = MainWindow(db=tmp_path / "a.sqlite", model=str(model))
    win.show()
    try:
        worker = win.start(streams.spec())
        assert worker is not None, win.status_line.text()
        streams.wait_for_consumers(lambda: worker.running)
        stamps = _send_session(streams, X, y, step=qapp.processEvents)
        table = win.trial_table
        # each trial comes as a trial (the table) and as a frame (the probability view)
        while table.rowCount() < len(y) or len(win.prob.proba) < len(y):
            assert worker.running, worker.error
            qapp.processEvents()
            time.sleep(0.01)
        assert win.tabs.currentWidget() is table and win.prob.mode == "trials"
        _check_trials(table.trials, clf, X, y, sfreq, stamps)
        for row, trial in enumerate(table.trials):
            assert table.item(row, 3).text() == str(trial.predicted)
            assert table.item(row, 4).text() == f"{trial.confidence:.2f}"
        assert sorted(t.marker for t in table.trials) == sorted(str(m) for m in y)
        assert len(win.prob.proba) == len(y)
        assert win.cube_view.geometry_.n_neurons == clf.cube_.n_neurons
    finally:
        win.close()  # stops the worker's process and waits for it
        streams.close()
    _drain(worker, {})  # a process worker's state comes with its last messages
    assert worker.state == "stopped" and worker.error is None


@pytest.mark.slow
def test_absent_marker_stream_is_an_error_naming_it(trials, qapp, tmp_path):
    from gui.window import MainWindow

    clf, model, X, y, ch_names, sfreq = trials
    streams = Streams(ch_names, sfreq)  # the EEG is there, its marker stream is not
    absent = f"neucube-test-no-such-markers-{uuid.uuid4().hex[:12]}"
    spec = SourceSpec(kind="lsl", name=streams.name, source_id=streams.name, markers=absent)
    try:
        worker = PipelineWorker(spec, model=str(model), db=False).start()
        assert worker.join(120), "the worker did not give up on the absent marker stream"
        got = _drain(worker, {})
        assert worker.state == "error"
        assert f"No LSL marker stream named {absent!r}" in worker.error
        assert "Check that the sender runs and the name is right" in worker.error
        assert got["error"] == [worker.error] and "trial" not in got
        assert got["finished"][-1]["state"] == "error"
        # the window says it in its status line
        win = MainWindow(db=tmp_path / "a.sqlite", model=str(model), worker="thread")
        win.show()
        try:
            worker = win.start(spec)
            while worker.running or not worker.messages.empty():
                qapp.processEvents()
                time.sleep(0.01)
            qapp.processEvents()
            assert win.worker.state == "error"
            assert f"error: No LSL marker stream named {absent!r}" in win.status_line.text()
            assert win.trial_table.rowCount() == 0 and win.start_button.isEnabled()
        finally:
            win.close()
    finally:
        streams.close()


def test_an_lsl_trial_model_without_a_marker_stream_is_refused(trials):
    clf, model, X, y, ch_names, sfreq = trials
    spec = SourceSpec(kind="lsl", name="neucube-test-unused", source_id="neucube-test-unused")
    worker = PipelineWorker(spec, model=str(model), db=False).start()
    assert worker.join(120)
    assert worker.state == "error"
    assert "needs the name of the LSL marker stream" in worker.error
