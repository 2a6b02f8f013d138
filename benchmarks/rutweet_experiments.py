"""Two levers for the RuTweetCorp gap, measured outside the package.

Usage (from the repository root)::

    python benchmarks/rutweet_experiments.py ensemble --seeds 13 14 15 16 17 18
    python benchmarks/rutweet_experiments.py lm-pretrain --lm-epochs 2 --seeds 13 14
    python benchmarks/rutweet_experiments.py char-cnn --seeds 13 14
    python benchmarks/rutweet_experiments.py with-tfidf --seeds 13 14 15

``ensemble``: trains the spec once per seed, saves each model's test probabilities
(``OUT/SEED.npy``), prints each model's test accuracy and the accuracy of the averaged
probabilities over every subset size (mean, std, min, max over the subsets).

``lm-pretrain``: before the usual training, trains the same bidirectional encoder as two word
language models on the training texts, ELMo-style (Peters et al. 2018): the forward states
predict the next word, the backward states the previous one (softmax heads over the vocabulary;
1-layer encoders only, where neither direction has seen the word it predicts); then fine-tunes
the classifier from those weights. Prints the LM loss per epoch (nats per word, the two
directions summed) and the test accuracy per seed.

``char-cnn``: adds a character-level CNN word encoder (Kim et al. 2016, "Character-Aware Neural
Language Models": character embeddings 32, filters of widths 2-5, max over the word, a linear map
to the embedding size) to each word's embedding (pretrained vector + hashed n-grams), computed for
the distinct words of each batch; the rest of the model and the training are unchanged.

``with-tfidf``: an upper bound for any "recurrent + bag of n-grams" hybrid: averages the recurrent
model's test probabilities with those of the TF-IDF word+char + logistic regression baseline itself,
``w * p_tfidf + (1 - w) * p_rnn``; prints the test accuracy for each weight ``w`` in 0.1 steps and
for the weight chosen on the validation set.

Results and commands: benchmarks/RESULTS.md, "Against the TF-IDF baseline".
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from textrnn.compare.specs import build_from_spec, parse_spec
from textrnn.data.batching import EncodedTexts, iter_batches
from textrnn.data.tables import read_labeled_csv
from textrnn.nn import RecurrentClassifier

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "rutweetcorp_sample"
BEST = "bigru-max:embeddings=navec,lemmatize=1,subwords=20000,emb_dropout=0.3"


def load(data: Path, limit: int | None):
    splits = [read_labeled_csv(data / f"{name}.csv", "text", None) for name in ("train", "val", "test")]
    if limit:
        for s in splits:
            s.texts, s.labels = s.texts[:limit], s.labels[:limit]
    return splits


def ensemble(args) -> None:
    train, val, test = load(args.data, args.limit)
    args.out.mkdir(parents=True, exist_ok=True)
    y = np.asarray(test.labels)
    probs, names = {}, None
    for seed in args.seeds:
        clf = build_from_spec(parse_spec(args.spec), seed=seed, device="cpu")
        clf.fit(train.texts, train.labels, val.texts, val.labels, quiet=True)
        probs[seed] = np.asarray(clf.predict_proba(test.texts))
        names = np.asarray(clf.labels_)
        np.save(args.out / f"{seed}.npy", probs[seed])
        print(f"seed {seed}: test accuracy {float((names[probs[seed].argmax(1)] == y).mean()):.4f}", flush=True)
    for k in range(2, len(probs) + 1):
        accs = [float((names[np.mean([probs[s] for s in c], 0).argmax(1)] == y).mean())
                for c in itertools.combinations(sorted(probs), k)]
        print(f"average of {k} models: accuracy {np.mean(accs):.4f} ± {np.std(accs):.4f} "
              f"(min {min(accs):.4f}, max {max(accs):.4f}, {len(accs)} subsets)", flush=True)


def lm_pretrain(model: RecurrentClassifier, data: EncodedTexts, epochs: int, seed: int, batch_size: int = 64) -> None:
    """Train ``model``'s embeddings and 1-layer bidirectional encoder as forward + backward word LMs."""
    if not model.config.bidirectional or model.config.num_layers != 1:
        raise SystemExit("lm-pretrain needs a 1-layer bidirectional encoder (e.g. bigru-max)")
    torch.manual_seed(seed)
    h, vocab = model.config.hidden_size, model.embedding.words.num_embeddings
    heads = nn.ModuleList([nn.Linear(h, vocab), nn.Linear(h, vocab)])
    params = [p for p in model.parameters() if p.requires_grad] + list(heads.parameters())
    optimizer = torch.optim.AdamW(params, lr=2e-3, fused=True)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for epoch in range(1, epochs + 1):
        start, total, n = time.perf_counter(), 0.0, 0
        for _, ids, lengths, _ in iter_batches(data, batch_size, True, generator):
            x = model.embedding_dropout(model.embedding(ids))
            out, _ = model.encoder.rnn(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=True))
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])
            words = ids[..., 0] if ids.dim() == 3 else ids
            real = (torch.arange(words.shape[1])[None] < lengths[:, None])[:, 1:]  # pairs (t, t+1) inside the text
            loss = (F.cross_entropy(heads[0](out[:, :-1, :h][real]), words[:, 1:][real])
                    + F.cross_entropy(heads[1](out[:, 1:, h:][real]), words[:, :-1][real]))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            total, n = total + float(loss.detach()), n + 1
        print(f"  LM epoch {epoch}: {total / n:.3f} nats/word (forward + backward), "
              f"{time.perf_counter() - start:.0f} s", flush=True)


class Pretrain:
    """Trainer callback: LM-pretrain the model on the training texts before the classifier's first step."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs

    def on_fit_start(self, trainer) -> None:
        lm_pretrain(trainer.model, trainer.task.train, self.epochs, trainer.config.seed)


def pretrain_then_classify(args) -> None:
    train, val, test = load(args.data, args.limit)
    for seed in args.seeds:
        clf = build_from_spec(parse_spec(args.spec), seed=seed, device="cpu")
        clf.callbacks.append(Pretrain(args.lm_epochs))
        start = time.perf_counter()
        clf.fit(train.texts, train.labels, val.texts, val.labels, quiet=True)
        m = clf.evaluate(test.texts, test.labels)
        print(f"lm_epochs={args.lm_epochs} seed {seed}: test accuracy {m['accuracy']:.4f} macro_f1 "
              f"{m['macro_f1']:.4f} best epoch {clf.summary_['best_epoch']} {time.perf_counter() - start:.0f} s",
              flush=True)


class CharCNN(nn.Module):
    """Word vectors from the word's characters: ``(n_words, max_chars) int64`` -> ``(n_words, dim)``."""

    def __init__(self, n_chars: int, dim: int, char_dim: int = 32, filters: int = 64, widths=(2, 3, 4, 5)) -> None:
        super().__init__()
        self.chars = nn.Embedding(n_chars, char_dim, padding_idx=0)
        self.convs = nn.ModuleList(nn.Conv1d(char_dim, filters, w, padding=w - 1) for w in widths)
        self.project = nn.Linear(filters * len(widths), dim)

    def forward(self, chars: torch.Tensor) -> torch.Tensor:
        x = self.chars(chars).transpose(1, 2)  # (n, char_dim, max_chars)
        pad = (chars == 0).unsqueeze(1)
        feats = []
        for conv in self.convs:
            y = conv(x)[..., : chars.shape[1]]
            feats.append(y.masked_fill(pad, -1e4).amax(-1))
        return self.project(torch.tanh(torch.cat(feats, 1)))


class CharEnrichedEmbedding(nn.Module):
    """The model's token embedding plus a :class:`CharCNN` vector of each word's characters."""

    def __init__(self, base: nn.Module, itos: list[str], dim: int, max_chars: int = 16) -> None:
        super().__init__()
        alphabet = {c for w in itos[2:] for c in w}
        index = {c: i for i, c in enumerate(sorted(alphabet), start=3)}  # 0 pad, 1 start of word, 2 end of word
        table = torch.zeros((len(itos), max_chars + 2), dtype=torch.int64)
        for i, word in enumerate(itos[2:], start=2):
            codes = [1] + [index[c] for c in word[:max_chars]] + [2]
            table[i, : len(codes)] = torch.tensor(codes)
        self.base, self.char_cnn = base, CharCNN(len(index) + 3, dim)
        self.register_buffer("char_table", table, persistent=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        words = ids[..., 0] if ids.dim() == 3 else ids
        unique, inverse = words.unique(return_inverse=True)
        vectors = self.char_cnn(self.char_table[unique])
        return self.base(ids) + vectors[inverse] * (words != 0).unsqueeze(-1)


class AddCharCNN:
    """Trainer callback: swap in the character-enriched embedding before the optimiser is built."""

    def on_fit_start(self, trainer) -> None:
        model = trainer.model
        model.embedding = CharEnrichedEmbedding(model.embedding, trainer.task.vocab.itos, model.config.embedding_dim)


def char_cnn_then_classify(args) -> None:
    train, val, test = load(args.data, args.limit)
    for seed in args.seeds:
        clf = build_from_spec(parse_spec(args.spec), seed=seed, device="cpu")
        clf.callbacks.append(AddCharCNN())
        start = time.perf_counter()
        clf.fit(train.texts, train.labels, val.texts, val.labels, quiet=True)
        m = clf.evaluate(test.texts, test.labels)
        print(f"char-cnn seed {seed}: test accuracy {m['accuracy']:.4f} macro_f1 {m['macro_f1']:.4f} "
              f"best epoch {clf.summary_['best_epoch']} {time.perf_counter() - start:.0f} s", flush=True)


def with_tfidf(args) -> None:
    train, val, test = load(args.data, args.limit)
    y_val, y_test = np.asarray(val.labels), np.asarray(test.labels)

    def fitted_probs(spec: str, seed: int):
        clf = build_from_spec(parse_spec(spec), seed=seed, device="cpu")
        clf.fit(train.texts, train.labels, val.texts, val.labels, quiet=True)
        return np.asarray(clf.predict_proba(val.texts)), np.asarray(clf.predict_proba(test.texts)), np.asarray(clf.labels_)

    tfidf_val, tfidf_test, names = fitted_probs("tfidf-lr:analyzer=word+char", args.seeds[0])
    print(f"tfidf-lr word+char: test accuracy {float((names[tfidf_test.argmax(1)] == y_test).mean()):.4f}", flush=True)
    weights = np.round(np.arange(0.0, 1.01, 0.1), 1)
    for seed in args.seeds:
        rnn_val, rnn_test, rnn_names = fitted_probs(args.spec, seed)
        assert list(rnn_names) == list(names)

        def accuracy(w, p_tfidf, p_rnn, y):
            return float((names[(w * p_tfidf + (1 - w) * p_rnn).argmax(1)] == y).mean())

        test_acc = {w: accuracy(w, tfidf_test, rnn_test, y_test) for w in weights}
        chosen = max(weights, key=lambda w: (accuracy(w, tfidf_val, rnn_val, y_val), -abs(w - 0.5)))
        print(f"seed {seed}: " + ", ".join(f"w={w}: {a:.4f}" for w, a in test_acc.items())
              + f"; chosen on val w={chosen}: test {test_acc[chosen]:.4f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("experiment", choices=["ensemble", "lm-pretrain", "char-cnn", "with-tfidf"])
    parser.add_argument("--spec", default=BEST, help=f"model spec (default: {BEST})")
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 14, 15])
    parser.add_argument("--lm-epochs", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DATA, help="folder with train/val/test.csv")
    parser.add_argument("--out", type=Path, default=REPO / "runs" / "issue4" / "ensemble")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="first N texts of each split (a quick try)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    {"ensemble": ensemble, "lm-pretrain": pretrain_then_classify, "char-cnn": char_cnn_then_classify,
     "with-tfidf": with_tfidf}[args.experiment](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
