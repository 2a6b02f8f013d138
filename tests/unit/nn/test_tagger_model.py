"""The tagger network: padding never changes emissions, tags or probabilities; the loss and decoding heads."""

import pytest
import torch

from textrnn.config import TaggerConfig
from textrnn.nn.tagger import SequenceTaggerNet


def net(char: str = "cnn", crf: bool = False, **overrides) -> SequenceTaggerNet:
    torch.manual_seed(0)
    config = TaggerConfig(vocab_size=30, num_tags=5, embedding_dim=8, char=char, char_vocab_size=20,
                          char_embedding_dim=6, char_hidden=5, num_features=4, static_dim=3, hidden_size=7,
                          num_layers=2, crf=crf, **overrides)
    return SequenceTaggerNet(config).eval()


def inputs(lengths: list[int], width: int, seed: int = 0):
    """A batch whose padding (positions past each length) holds garbage ids and features."""
    g = torch.Generator().manual_seed(seed)
    b = len(lengths)
    words = torch.randint(1, 30, (b, width), generator=g)
    chars = torch.randint(1, 20, (b, width, 6), generator=g)
    chars[:, :, 4:] = 0  # words of 4 characters
    features = torch.randint(0, 2, (b, width, 4), generator=g).float()
    static = torch.randn(b, width, 3, generator=g)
    return words, chars, features, static, torch.tensor(lengths)


@pytest.mark.parametrize("char", ["cnn", "lstm", "none"])
@pytest.mark.parametrize("crf", [False, True])
def test_padding_never_changes_a_prediction(char, crf):
    model = net(char, crf)
    words, chars, features, static, lengths = inputs([5, 3, 1], 8)
    mask = torch.arange(8).unsqueeze(0) < lengths.unsqueeze(1)
    with torch.no_grad():
        batch = model(words, chars, features, static, lengths)
        tags = model.decode(batch, mask)
        probs = model.marginals(batch, mask)
        for row, n in enumerate(lengths.tolist()):
            alone = model(words[row:row + 1, :n], chars[row:row + 1, :n], features[row:row + 1, :n],
                          static[row:row + 1, :n], torch.tensor([n]))
            one = torch.ones(1, n, dtype=torch.bool)
            assert torch.allclose(batch[row, :n], alone[0], atol=1e-5)
            assert tags[row, :n].tolist() == model.decode(alone, one)[0].tolist()
            assert torch.allclose(probs[row, :n], model.marginals(alone, one)[0], atol=1e-5)
            assert probs[row, :n].sum(1).tolist() == pytest.approx([1.0] * n, abs=1e-5)


@pytest.mark.parametrize("crf", [False, True])
def test_loss_is_mean_nats_per_token_and_trains(crf):
    model = net("cnn", crf, dropout=0.0, embedding_dropout=0.0, word_dropout=0.0).train()
    words, chars, features, static, lengths = inputs([6, 4], 6, seed=1)
    mask = torch.arange(6).unsqueeze(0) < lengths.unsqueeze(1)
    tags = torch.randint(0, 5, (2, 6), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        first = model.loss(model(words, chars, features, static, lengths), tags, mask)
    assert 0.5 < float(first) < 5.0  # about log(5) = 1.61 nats for an untrained net
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(60):
        optimizer.zero_grad()
        loss = model.loss(model(words, chars, features, static, lengths), tags, mask)
        loss.backward()
        optimizer.step()
    model.eval()
    assert float(loss) < 0.2
    assert model.decode(model(words, chars, features, static, lengths), mask)[mask].tolist() == tags[mask].tolist()


def test_word_dropout_only_in_training():
    model = net("none", word_dropout=0.999)
    words, chars, features, static, lengths = inputs([4], 4)
    with torch.no_grad():
        eval_out = model(words, None, features, static, lengths)
        model.train()
        model.embedding_dropout.p = model.output_dropout.p = 0.0
        model.encoder.rnn.dropout = 0.0
        unk = model(torch.ones_like(words), None, features, static, lengths)
        dropped = model(words, None, features, static, lengths)
    assert torch.allclose(dropped, unk)  # every word read as <unk>
    assert not torch.allclose(eval_out, unk)
