"""BackgroundLevel: hand-computed block levels, chunk invariance, bad input."""

import numpy as np
import pytest

from acquisition import BackgroundLevel


def test_block_levels_and_median_by_hand():
    # one channel, blocks of 2 samples, median of the last 2 blocks
    x = np.array([[0.0, 1.0, 3.0, 3.0, 7.0, 8.0, 8.0]])
    level = BackgroundLevel(1, block=2, n_blocks=2).update(x)
    # block 0: |1-0| = 1 (no sample before it)
    # block 1: |3-1|, |3-3| -> 1; block 2: |7-3|, |8-7| -> 2.5; sample 6 pending
    assert level.n_complete == 3
    assert level.level(1) == pytest.approx([1.0])
    assert level.level(2) == pytest.approx([1.0])  # median of 1 and 1
    assert level.level(3) == pytest.approx([(1.0 + 2.5) / 2])
    level.update(np.array([[10.0]]))  # completes block 3: |8-8|, |10-8| -> 1
    assert level.level(4) == pytest.approx([(2.5 + 1.0) / 2])


def test_chunks_of_any_size_give_the_same_levels():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 1000)) * [[1.0], [5.0], [0.1]]
    whole = BackgroundLevel(3, 50, 6).update(x)
    pieces = BackgroundLevel(3, 50, 6)
    cuts = np.sort(rng.choice(np.arange(1, 1000), 40, replace=False))
    for part in np.split(x, cuts, axis=1):
        pieces.update(part)
    assert whole.n_complete == pieces.n_complete == 20
    for j in range(1, 21):
        np.testing.assert_array_equal(whole.level(j), pieces.level(j))
    # louder channels have a higher background, in proportion
    ratio = whole.level(20) / whole.level(20)[0]
    np.testing.assert_allclose(ratio, [1.0, 5.0, 0.1], rtol=0.15)


def test_median_ignores_a_short_burst():
    x = np.tile([[0.0, 1.0]], (1, 50))  # level 1 in every block of 10
    x[0, 60:70] *= 20  # one loud block among the last five
    level = BackgroundLevel(1, 10, 5).update(x)
    assert level.level(10) == pytest.approx([1.0])


def test_keep_drops_old_blocks_and_bad_input():
    level = BackgroundLevel(1, 2, 2, keep=3).update(np.arange(20.0)[None])
    assert level.n_complete == 10
    assert level.level(10) == pytest.approx([1.0])
    with pytest.raises(ValueError, match="no longer kept"):
        level.level(3)
    with pytest.raises(ValueError, match="no complete block"):
        level.level(11)
    with pytest.raises(ValueError, match="no complete block"):
        level.level(0)
    with pytest.raises(ValueError, match=r"\(1, n_samples\)"):
        level.update(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="block"):
        BackgroundLevel(1, 0, 2)
    with pytest.raises(ValueError, match="keep"):
        BackgroundLevel(1, 2, 5, keep=3)


def test_a_low_quantile_ignores_a_long_event():
    x = np.tile([[0.0, 1.0]], (1, 50))  # level 1 in every block of 10
    x[0, 20:] *= 10  # the last 8 of 10 blocks ten times louder
    median = BackgroundLevel(1, 10, 10).update(x)
    low = BackgroundLevel(1, 10, 10, quantile=0.1).update(x)
    assert median.level(10) == pytest.approx([10.0])
    # blocks 0 and 1 are quiet: the 0.1 quantile of [1, 1, 10 x 8] (linear) is 1
    assert low.level(10) == pytest.approx([1.0])
    with pytest.raises(ValueError, match="quantile"):
        BackgroundLevel(1, 10, 10, quantile=0)
