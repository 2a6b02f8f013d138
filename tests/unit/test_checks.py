"""The shared value checks: clipping thresholds, seeds, n-gram ranges (one grammar everywhere)."""

import pytest

from textrnn.checks import MAX_SEED, check_float, check_int, check_max_norm, check_seed, parse_range
from textrnn.errors import TextrnnError


def test_check_max_norm_accepts_zero_and_positive_numbers():
    assert check_max_norm(0.5) == 0.5
    assert check_max_norm(2) == 2.0 and isinstance(check_max_norm(2), float)
    assert str(check_max_norm(-0.0)) == "0.0"  # not saved as -0.0


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf"), True, "1"])
def test_check_max_norm_names_the_parameter(bad):
    with pytest.raises(TextrnnError, match=r"^clip_grad_norm must be a finite number >= 0 \(0 = no clipping\), got") as e:
        check_max_norm(bad)
    assert e.value.param == "clip_grad_norm"


def test_seeds_are_the_integers_numpy_accepts():
    assert MAX_SEED == 2**32 - 1
    assert check_seed(0) == 0 and check_seed(MAX_SEED) == MAX_SEED
    for bad in (-1, MAX_SEED + 1, 1.0, True):
        with pytest.raises(TextrnnError, match=r"seed=.* is invalid; expected an integer \[0, 4294967295\]"):
            check_seed(bad)
    with pytest.raises(TextrnnError, match="an integer of 31 digits"):  # a huge value is not printed whole
        check_seed(10**30)


def test_int_and_float_checks_name_the_value_and_the_range():
    with pytest.raises(TextrnnError, match=r"^option width=0 is invalid; expected an integer \[1, 8\]$"):
        check_int("width", 0, 1, 8)
    with pytest.raises(TextrnnError, match=r"^option p=1.0 is invalid; expected a number in \[0, 1\)$"):
        check_float("p", 1.0, 0, 1, hi_open=True)
    assert check_float("p", 0, 0, 1) == 0.0


@pytest.mark.parametrize("text, expected", [("1,2", (1, 2)), ("1-2", (1, 2)), ("2", (2, 2)), (" 2 , 5 ", (2, 5)),
                                            ((1, 3), (1, 3)), ([2, 2], (2, 2))])
def test_parse_range_reads_every_spelling_of_a_range(text, expected):
    assert parse_range(text) == expected


@pytest.mark.parametrize("bad", ["2,1", "a,b", "0,1", "1,2,3", "", (1.0, 2), (True, 2), (1, 200)])
def test_parse_range_refuses_bad_ranges_naming_them(bad):
    with pytest.raises(TextrnnError, match="ngram_range .* is invalid") as e:
        parse_range(bad)
    assert e.value.param == "ngram_range"
