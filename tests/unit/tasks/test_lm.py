"""Language modelling: the state carried and detached between windows, scores in nats and bits per character."""

import math

import pytest
import torch

from textrnn.config import CELLS, CharLMConfig
from textrnn.data.streams import IGNORE_INDEX
from textrnn.errors import TextrnnError
from textrnn.nn import CharLM
from textrnn.tasks.lm import LanguageModelTask, evaluate_text, metrics_from_nll, next_char_loss, unknown_chars
from textrnn.vocab import CHAR_SPECIALS, Vocab


def h_of(state):
    return state[0] if isinstance(state, tuple) else state


@pytest.mark.parametrize("cell", CELLS)
def test_tbptt_state_is_carried_and_detached(cell):
    torch.manual_seed(0)
    m = CharLM(CharLMConfig(cell=cell, vocab_size=12, embedding_dim=8, hidden_size=16))
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    x, y = torch.randint(3, 12, (2, 6)), torch.randint(3, 12, (2, 6))
    task = LanguageModelTask(batches=None, val_batches=[(x, y, True)])

    def step(reset):
        loss = task.loss(m, (x, y, reset, y.numel()))
        opt.zero_grad()
        loss.backward()
        opt.step()
        return task.state

    s1 = step(True)
    for t in s1 if cell == "lstm" else (s1,):
        assert t.grad_fn is None and not t.requires_grad
    # A second step from the carried state backpropagates only through its own window:
    # without the detach this would raise "Trying to backward through the graph a second time".
    s2 = step(False)
    assert h_of(s2).grad_fn is None and not torch.equal(h_of(s1), h_of(s2))
    # The carried state matters: the step's output depends on it.
    with torch.no_grad():
        a, _ = m(x, s1)
        b, _ = m(x, None)
    assert not torch.allclose(a, b)


def test_a_reset_window_starts_from_the_zero_state():
    torch.manual_seed(0)
    m = CharLM(CharLMConfig(vocab_size=12, embedding_dim=8, hidden_size=16))
    x, y = torch.randint(3, 12, (2, 6)), torch.randint(3, 12, (2, 6))
    task = LanguageModelTask(batches=None, val_batches=[(x, y, True)])
    with torch.no_grad():
        first = float(task.loss(m, (x, y, True, 12)))
        carried = float(task.loss(m, (x, y, False, 12)))
        reset = float(task.loss(m, (x, y, True, 12)))
    assert reset == first != carried


def test_scores_are_nats_bits_and_perplexity_of_one_sum():
    m = metrics_from_nll(total_nats=10 * math.log(4), n=10)
    assert m == {"loss_nats_per_char": pytest.approx(math.log(4)), "bits_per_char": pytest.approx(2.0),
                 "perplexity": pytest.approx(4.0), "n_chars": 10}
    assert math.isinf(metrics_from_nll(800.0, 1)["perplexity"])


def test_next_char_loss_skips_ignored_targets():
    logits = torch.zeros(1, 3, 4)
    logits[0, 0, 2] = math.log(3)  # p(2) = 3 / 6 at the first position
    targets = torch.tensor([[2, IGNORE_INDEX, IGNORE_INDEX]])
    assert float(next_char_loss(logits, targets)) == pytest.approx(math.log(2))
    assert float(next_char_loss(logits, targets, "sum")) == pytest.approx(math.log(2))


def test_a_uniform_model_scores_log_vocabulary_size_per_character():
    vocab = Vocab.build(["abcd"], CHAR_SPECIALS, order="sorted")
    model = CharLM(CharLMConfig(vocab_size=len(vocab), embedding_dim=4, hidden_size=4))
    with torch.no_grad():
        model.output.weight.zero_()
        model.output.bias.zero_()
    scores = evaluate_text(model, vocab, "abcdxa")
    assert scores["n_chars"] == 5 and scores["n_unknown_chars"] == 1
    assert scores["loss_nats_per_char"] == pytest.approx(math.log(len(vocab)))
    lines = evaluate_text(model, vocab, "ab\n\ncd\n", line_mode=True)
    assert lines["n_chars"] == 3 + 3 and lines["n_unknown_chars"] == 0  # each line's characters plus its <eos>
    with pytest.raises(TextrnnError, match="text to evaluate is too short"):
        evaluate_text(model, vocab, "a")


def test_line_breaks_are_not_unknown_characters_in_line_mode():
    vocab = Vocab.build(["ab"], CHAR_SPECIALS, order="sorted")
    assert unknown_chars("a\nb\nz", vocab) == {"\n": 2, "z": 1}
    assert unknown_chars("a\nb\nz", vocab, line_mode=True) == {"z": 1}


def test_the_task_refuses_an_empty_validation_set():
    with pytest.raises(TextrnnError, match="validation text is too short"):
        LanguageModelTask(batches=None, val_batches=[])
