"""The configuration dataclasses: every bad field is one error naming the parameter, its value and the range."""

import pytest

from textrnn.config import CharLMConfig, LMTrainConfig, ModelConfig, TrainConfig, VocabConfig
from textrnn.errors import TextrnnError


@pytest.mark.parametrize("config, message, param", [
    (ModelConfig(pooling="median"), "model option pooling='median' is unknown; expected one of last, mean, max, attention",
     "pooling"),
    (ModelConfig(dropout=1.5), r"model option dropout=1.5 is invalid; expected a number in \[0.0, 1.0\)", "dropout"),
    (ModelConfig(embedding_dropout=1.0), r"embedding_dropout=1.0 is invalid; expected a number in \[0.0, 1.0\)",
     "embedding_dropout"),
    (ModelConfig(subword_buckets=99999999999), r"subword_buckets=99999999999 is invalid; expected an integer \[0, 10000000\]",
     "subword_buckets"),
    (ModelConfig(hidden_size=True), "hidden_size=True is invalid", "hidden_size"),
    (ModelConfig(subword_min_n=4, subword_max_n=3), "subword_min_n=4 > subword_max_n=3", "subword_min_n"),
    (VocabConfig(max_len=0), r"vocabulary option max_len=0 is invalid; expected an integer \[1, 100000\]", "max_len"),
    (TrainConfig(epochs=0), r"training option epochs=0 is invalid; expected an integer \[1, 1000000\]", "epochs"),
    (TrainConfig(lr=-1.0), r"training option lr=-1.0 is invalid; expected a number in \(0.0, 1000.0\]", "lr"),
    (TrainConfig(clip_grad_norm=float("nan")), r"clip_grad_norm must be a finite number >= 0 \(0 = no clipping\), got nan",
     "clip_grad_norm"),
    (TrainConfig(seed=-1), r"seed=-1 is invalid; expected an integer \[0, 4294967295\]", "seed"),
    (TrainConfig(class_weight="inverse"), "class_weight='inverse' is unknown; expected one of unset, balanced",
     "class_weight"),
    (TrainConfig(betas=(0.9, 1.0)), r"betas=\(0.9, 1.0\) is invalid; expected two numbers in \[0, 1\)", "betas"),
    (CharLMConfig(hidden_size=0), r"model option hidden_size=0 is invalid; expected an integer \[1, 8192\]", "hidden_size"),
    (CharLMConfig(dropout=1.0), r"dropout=1.0 is invalid; expected a number in \[0.0, 1.0\)", "dropout"),
    (CharLMConfig(cell="cnn"), "model option cell='cnn' is unknown; expected one of rnn, lstm, gru", "cell"),
    (CharLMConfig(tie_weights=True, embedding_dim=8, hidden_size=16), "tie_weights needs embedding_dim == hidden_size, "
     "got 8 and 16", "tie_weights"),
    (LMTrainConfig(time_budget=0.0), r"training option time_budget=0.0 is invalid; expected a number in \(0.0, ",
     "time_budget"),
    (LMTrainConfig(epochs=0), "training option epochs=0 is invalid", "epochs"),
    (LMTrainConfig(val_fraction=1.0), "val_fraction=1.0 is invalid", "val_fraction"),
])
def test_a_bad_field_names_the_parameter_and_the_range(config, message, param):
    with pytest.raises(TextrnnError, match=message) as e:
        config.validate()
    assert e.value.param == param


def test_from_dict_round_trips_and_refuses_unknown_fields():
    m = ModelConfig(cell="lstm", hidden_size=32, pooling="attention")
    assert ModelConfig.from_dict(m.to_dict()) == m
    with pytest.raises(TextrnnError, match=r"unknown model option\(s\) \['hidden'\]"):
        ModelConfig.from_dict({"hidden": 3})
    with pytest.raises(TextrnnError, match="model options must be a JSON object, got list"):
        ModelConfig.from_dict([1])
    # 0.1 stored the device with the training options: read back, not an option
    assert TrainConfig.from_dict({"epochs": 3, "device": "cpu"}) == TrainConfig(epochs=3)


def test_validation_normalises_numbers():
    t = TrainConfig(lr=1, clip_grad_norm=-0.0, betas=[0, 0.5]).validate()
    assert (t.lr, str(t.clip_grad_norm), t.betas) == (1.0, "0.0", (0.0, 0.5))


def test_an_lm_run_with_no_limit_trains_ten_epochs():
    assert LMTrainConfig().limits().epochs == 10
    assert LMTrainConfig(max_steps=5).limits().epochs is None
    assert LMTrainConfig(time_budget=1.0).limits().epochs is None


def test_tagger_config_without_projection_reads_as_none():
    from textrnn.config import TaggerConfig

    stored = TaggerConfig().to_dict()
    assert stored["projection"] == 128 and TaggerConfig.from_dict(stored).projection == 128
    del stored["projection"]
    assert TaggerConfig.from_dict(stored).projection == 0
