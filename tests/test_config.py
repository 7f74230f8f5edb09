"""lenetlib.config: 시드와 준비 블록 (모든 장)."""

from __future__ import annotations

import numpy as np
import pytest

from lenetlib import config


@pytest.mark.parametrize("seed", [2**32, -1, True, "42", 4.0, None])
def test_set_seed_rejects_bad_seeds_in_korean(seed):
    """이슈 #10-7: config.set_seed(2**32)가 영어 오류로 끝나지 않습니다."""
    with pytest.raises(ValueError, match=r"seed은\(는\) 0~4294967295 범위의 정수") as info:
        config.set_seed(seed)
    assert "예: seed=42" in str(info.value)


def test_set_seed_accepts_numpy_integers_and_repeats():
    assert config.set_seed(np.int64(7)) == 7
    first = np.random.rand(3)
    config.set_seed(7)
    np.testing.assert_array_equal(np.random.rand(3), first)
    assert config.set_seed(2**32 - 1) == 2**32 - 1


def test_setup_returns_environment_without_speed_settings():
    info = config.setup(3)
    assert info["seed"] == 3 and info["font"]
    assert {"python", "lenetlib", "tensorflow", "keras", "backend", "gpus"} <= set(info)
    assert not any("split" in key or "thread" in key for key in info)
