"""The live trial pipeline equals the classifier offline, without Qt.

Most tests feed an in-memory source; one streams the trials and their markers
through real LSL outlets on this machine.
"""

import time
import uuid

import numpy as np
import pytest

from acquisition import read_uci_epochs
from acquisition.stream import ArraySource, LSLSource, MarkerInlet, configure_lsl
from models.trials.familiarity import FamiliarityClassifier
from models.trials.live import LiveTrialPipeline, TrialResult
from sample_data import SAMPLE_DIR

configure_lsl(resolve_scope="machine")  # before liblsl loads: local only, quiet


@pytest.fixture(scope="module")
def trials():
    """A FamiliarityClassifier fitted on half the bundled UCI trials; the other half back to back."""
    X, y, _, ch_names, sfreq = read_uci_epochs(SAMPLE_DIR / "uci")
    clf = FamiliarityClassifier(ch_names, sfreq, target="numpy", random_state=0)
    clf.fit(X[::2] * 1e6, y[::2])
    test = np.arange(1, 12, 2)  # 6 held-out trials, one marker at the start of each
    return clf, X[test], y[test], ch_names, sfreq


def _stream(X, ch_names, sfreq, chunk_size):
    data = np.concatenate(list(X), axis=1)  # volts, as a stream carries them
    return ArraySource(data, sfreq, ch_names, chunk_size=chunk_size)


def _run(pipe):
    got = []
    while not pipe.source.ended or pipe.n_pending:
        new = pipe.step()
        got += new
        if pipe.source.ended and not new:
            break
    return got


@pytest.mark.parametrize("chunk_size", [7, 256])
def test_each_marked_trial_is_classified_as_offline(trials, chunk_size):
    clf, X, y, ch_names, sfreq = trials
    n = X.shape[2]
    markers = [(k * n, str(label)) for k, label in enumerate(y)]
    seen = []
    pipe = LiveTrialPipeline(
        clf, _stream(X, ch_names, sfreq, chunk_size), markers=markers, on_trial=seen.append
    )
    got = _run(pipe)
    assert len(got) == len(X) and pipe.trials == got == seen
    expected = clf.predict_proba(X * 1e6)  # the same epochs, offline
    for k, trial in enumerate(got):
        assert isinstance(trial, TrialResult) and trial.index == k and trial.marker == y[k]
        assert trial.onset == pytest.approx(k * n / sfreq)
        np.testing.assert_allclose(
            [trial.proba[str(c)] for c in clf.classes_], expected[k], atol=1e-12
        )
        assert trial.predicted == clf.classes_[expected[k].argmax()]
        assert trial.correct == (str(trial.predicted) == y[k])
        # the cube saw the classifier's window: 0-0.6 s after the marker
        assert trial.window == pytest.approx((k * n / sfreq, 0.6), abs=1 / sfreq)
        assert trial.spikes.shape == (len(ch_names), int(round(0.6 * sfreq)))
    assert pipe.missing == [] and pipe.n_pending == 0


class _Markers:
    """A marker stream: hands out (timestamp, label) once the stream has passed them."""

    def __init__(self, stamps, labels, source):
        self.items, self.source, self.closed = list(zip(stamps, labels)), source, False

    def pull(self):
        now = self.source.status().n_samples / self.source.sfreq
        out = [m for m in self.items if m[0] < now]
        self.items = [m for m in self.items if m[0] >= now]
        return out

    def close(self):
        self.closed = True


def test_stream_markers_are_placed_on_their_sample(trials):
    clf, X, y, ch_names, sfreq = trials
    n = X.shape[2]
    source = _stream(X, ch_names, sfreq, 32)
    # ArraySource stamps sample i at i / sfreq; a marker 0.4 samples late lands on its sample
    inlet = _Markers([(k * n + 0.4) / sfreq for k in range(len(y))], list(y), source)
    pipe = LiveTrialPipeline(clf, source, markers=inlet)
    got = _run(pipe)
    expected = clf.predict_proba(X * 1e6)
    assert [t.onset for t in got] == pytest.approx([k * n / sfreq for k in range(len(y))])
    np.testing.assert_allclose(
        [[t.proba[str(c)] for c in clf.classes_] for t in got], expected, atol=1e-12
    )
    pipe.close()
    assert inlet.closed


def _wait_for_consumer(outlet):
    """Wait until an inlet has subscribed (a hang fails on the suite's per-test timeout)."""
    while not outlet.has_consumers:
        time.sleep(0.01)


def test_lsl_markers_start_trials_of_an_lsl_stream_on_their_sample(trials):
    from mne_lsl.lsl import StreamInfo, StreamOutlet, local_clock

    clf, X, y, ch_names, sfreq = trials
    n = X.shape[2]
    data = np.concatenate(list(X), axis=1).T  # (n_samples, n_channels), volts
    name, marker_name = (f"neucube-test-{what}-{uuid.uuid4().hex[:12]}" for what in "em")
    info = StreamInfo(name, "eeg", len(ch_names), sfreq, "float64", name)
    info.set_channel_names(ch_names)
    info.set_channel_types(["eeg"] * len(ch_names))
    info.set_channel_units(["volts"] * len(ch_names))
    eeg = StreamOutlet(info, chunk_size=32)
    markers = StreamOutlet(StreamInfo(marker_name, "Markers", 1, 0.0, "string", marker_name))
    source = LSLSource(name, source_id=name).connect()
    inlet = MarkerInlet(marker_name, timeout=10.0)
    pipe = LiveTrialPipeline(clf, source, markers=inlet)
    try:
        _wait_for_consumer(eeg)
        _wait_for_consumer(markers)
        t0 = local_clock() + 1.0
        stamps = t0 + np.arange(len(data)) / sfreq
        # trials 0, 2, 4: their markers are sent before any of their EEG
        for k in (0, 2, 4):
            markers.push_sample([str(y[k])], timestamp=stamps[k * n])
        pos = 0
        while pos < len(data) or pipe.buffer.total < len(data):
            if pos < len(data):
                eeg.push_chunk(data[pos : pos + 32], timestamp=stamps[pos : pos + 32])
                pos += 32
            pipe.step()
            time.sleep(0.001)
        # each of them was classified as soon as its EEG came
        early = list(pipe.trials)
        assert [t.onset for t in early] == pytest.approx([0, 2 * n / sfreq, 4 * n / sfreq])
        # trials 1, 3, 5: their markers come after all of their EEG
        for k in (1, 3, 5):
            markers.push_sample([str(y[k])], timestamp=stamps[k * n])
        while len(pipe.trials) < len(y):
            pipe.step()
            time.sleep(0.001)
        assert pipe.n_pending == 0 and pipe.missing == []
    finally:
        pipe.close()
        source.close()
        eeg._del()
        markers._del()
    # one trial per marker, each on its own epoch, classified as offline
    by_onset = sorted(pipe.trials, key=lambda t: t.onset)
    assert len(by_onset) == len(y) and [t.index for t in pipe.trials] == list(range(len(y)))
    expected = clf.predict_proba(X * 1e6)
    for k, trial in enumerate(by_onset):
        assert trial.marker == y[k] and trial.onset == pytest.approx(k * n / sfreq)
        assert trial.window == pytest.approx((k * n / sfreq, 0.6), abs=1 / sfreq)
        np.testing.assert_allclose(
            [trial.proba[str(c)] for c in clf.classes_], expected[k], atol=1e-12
        )
        assert trial.predicted == clf.classes_[expected[k].argmax()]


def test_missing_channels_and_bad_inputs(trials):
    clf, X, y, ch_names, sfreq = trials
    few = ArraySource(X[0][:20], sfreq, ch_names[:20])
    with pytest.raises(ValueError, match=r"lacks 41 of the model's 61 channels"):
        LiveTrialPipeline(clf, few, markers=[(0, "x")]).step()
    other_rate = ArraySource(X[0], 2 * sfreq, ch_names)
    with pytest.raises(ValueError, match="sampled at 512 Hz but the model at 256 Hz"):
        LiveTrialPipeline(clf, other_rate, markers=[(0, "x")]).step()
    with pytest.raises(TypeError, match="markers must be a list"):
        LiveTrialPipeline(clf, few, markers="S2 match")
    with pytest.raises(ValueError, match="not fitted"):
        LiveTrialPipeline(FamiliarityClassifier(ch_names, sfreq), few, markers=[])
