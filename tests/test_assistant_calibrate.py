"""The calibration's sums: how often all trigger parts together hand off an ordinary message,
and the bars chosen to hold that share down (bench/assistant_calibrate.py, on made-up scores)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

_path = Path(__file__).resolve().parents[1] / "bench" / "assistant_calibrate.py"
_spec = importlib.util.spec_from_file_location("assistant_calibrate", _path)
calibrate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(calibrate)

NAN = np.nan


def _run() -> dict:
    """One fold: a built-in positive and three ordinary (BENIGN) messages, one creator-topic
    set-up, two creators of whom the first does not offer the work of the first message."""
    builtin = {"best": np.array([0.9, 0.1, 0.7, 0.1]), "cue": np.zeros(4, bool),
               "positive": np.array([True, False, False, False]),
               "benign": np.array([False, True, True, True])}
    custom = ([0.2, 0.05], [0.1, -1.0, -1.0], np.array([[0.1, -1.0, -1.0]]))
    outside = ([0.3], [-1.0, -1.0, -1.0, -1.0, -1.0], [], np.array([[NAN, -1.0, -1.0], [-1.0, -1.0, -1.0]]))
    return {"builtin": builtin, "custom": custom, "outside": outside}


def test_union_counts_each_message_once_among_those_ordinary_to_the_creator():
    # built-in hands off the second message; the topic the first, which is not ordinary to the
    # first creator: 1 of 2 for the first creator, 2 of 3 for the second
    assert calibrate.union_rate([_run()], 0.65, 0.4, 0.0, 0.0) == pytest.approx(3 / 5)
    # raising each bar above its scores leaves nothing handed off
    assert calibrate.union_rate([_run()], 0.75, 0.75, 0.15, 0.0) == 0.0


def test_union_grows_with_every_part():
    run = _run()
    run["outside"][3][1, 2] = 0.5  # the second creator is also handed the third message
    assert calibrate.union_rate([run], 0.65, 0.4, 0.0, 0.0) == pytest.approx(4 / 5)
    assert calibrate.union_rate([run], 0.65, 0.4, 0.0, 0.0) > calibrate.union_rate([_run()], 0.65, 0.4, 0.0, 0.0)


def test_bars_chosen_together_hold_the_union_and_keep_the_best_recall():
    run = _run()
    scores = (np.array(run["custom"][0]), np.array(run["custom"][1])), (np.array(run["outside"][0]), np.array(run["outside"][1]))
    loose = calibrate.choose_together([run], run["builtin"], *scores, rate=1.0, union=1.0)
    assert loose["recall"] == pytest.approx(1.0)  # every positive handed off when anything goes
    tight = calibrate.choose_together([run], run["builtin"], *scores, rate=1.0, union=0.0)
    assert tight["union"] == 0.0
    assert calibrate.union_rate([run], tight["probability"], tight["cue_probability"], tight["custom_margin"],
                                tight["outside_margin"]) == 0.0
    assert tight["recall"] < loose["recall"]
    # the creator topic's ordinary message at 0.1 had to go, its positive at 0.2 need not
    assert 0.1 <= tight["custom_margin"] < 0.2
    assert tight["probability"] >= 0.7
