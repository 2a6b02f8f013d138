"""The TF-IDF + logistic regression baseline, with the recurrent classifier's interface.

Every neural model in textrnn is judged against this one on the same split
(``textrnn compare``). It has the same ``fit`` / ``predict_proba`` / ``predict`` /
``evaluate`` / ``save`` / ``load`` methods as
:class:`~textrnn.training.classifier.RecurrentTextClassifier` and its run directory is read by
:func:`textrnn.load` (``model_type: "tfidf-lr"``). Nothing is
pickled: the vocabulary and idf are JSON, the coefficients safetensors.

Sources: scikit-learn ``TfidfVectorizer`` and ``LogisticRegression``
(https://scikit-learn.org/stable/modules/linear_model.html#logistic-regression).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Sequence

import numpy as np
from safetensors.numpy import load_file, save_file
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from textrnn.baselines.vectorize import ANALYZERS, TextVectorizer
from textrnn.checks import check_seed
from textrnn.data.lengths import count_empty, drop_empty, report_empty_predictions
from textrnn.data.tables import check_label_sets, label_positions, normalize_labels
from textrnn.errors import TextrnnError
from textrnn.files import atomic_dir, read_json, write_json
from textrnn.logs import get_logger
from textrnn.runs import VOCAB_BYTES, header, read_config, read_labels, read_metrics, section
from textrnn.tasks.metrics import classification_metrics
from textrnn.text import Preprocessor

log = get_logger("textrnn.baselines")

SOLVER = "lbfgs"


class TfidfLogisticRegression:
    """TF-IDF features (word and/or ``char_wb`` n-grams) + L2-regularised logistic regression.

    Args:
        preprocessor: text -> tokens; default :class:`Preprocessor()` (punctuation and
            emoticon brackets removed, which matters for RuTweetCorp).
        seed: ``random_state`` of the solver (lbfgs is deterministic; kept for the common interface).
        analyzer: ``"word"``, ``"char_wb"`` or ``"word+char"``.
        word_ngram_range: word n-grams, default ``(1, 2)``.
        char_ngram_range: character n-grams inside word boundaries, default ``(2, 5)``.
        C: inverse regularisation strength, default 4.
        min_df: a term needs this many training documents (int) or this fraction (float).
        max_df: drop terms in more than this many documents (int) or fraction (float).
        max_features: keep only the most frequent terms (per part for ``word+char``).
        sublinear_tf: tf -> 1 + ln(tf), default on.
        max_iter: most lbfgs iterations.
        device: ignored (CPU only); accepted so callers can treat every model alike.

    Multi-class problems use the multinomial (softmax) model. After :meth:`fit` (or
    :meth:`load`): ``labels_``, ``vectorizer_``, ``model_`` (the scikit-learn estimator),
    ``history_`` (always ``[]``) and ``summary_`` (``val`` metrics or ``None``,
    ``train_seconds``, ``n_features``, ``converged``).

    Raises:
        TextrnnError: an unknown analyzer, a bad n-gram range, ``C`` <= 0, or bad thresholds.
    """

    model_type = "tfidf-lr"

    def __init__(
        self,
        preprocessor: Preprocessor | None = None,
        seed: int = 13,
        analyzer: str = "word",
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        C: float = 4.0,
        min_df: int | float = 1,
        max_df: int | float = 1.0,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        max_iter: int = 2000,
        device: str = "cpu",
    ) -> None:
        if analyzer not in ANALYZERS:
            raise TextrnnError(f"analyzer {analyzer!r} is unknown; expected one of {', '.join(ANALYZERS)}")
        if not isinstance(C, (int, float)) or isinstance(C, bool) or not 0 < C < float("inf"):
            raise TextrnnError(f"C={C!r} is invalid; expected a positive finite number (inverse regularisation strength)")
        if not isinstance(max_iter, int) or max_iter < 1:
            raise TextrnnError(f"max_iter={max_iter!r} is invalid; expected a positive integer")
        self.preprocessor = preprocessor or Preprocessor()
        self.seed = check_seed(seed)
        self.C = float(C)
        self.max_iter = max_iter
        self.device = device
        # validates the vectoriser options up front
        self.vectorizer_ = TextVectorizer(
            kind="tfidf", analyzer=analyzer, word_ngram_range=word_ngram_range, char_ngram_range=char_ngram_range,
            min_df=min_df, max_df=max_df, max_features=max_features, sublinear_tf=sublinear_tf,
        )
        self.labels_: list[str] = []
        self.model_: LogisticRegression | None = None
        self.history_: list[dict] = []
        self.summary_: dict = {}
        self.record: dict = {}  # what config.json says besides the model (the data it was trained on)

    # -- helpers ----------------------------------------------------------------------

    def _new_model(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, solver=SOLVER, max_iter=self.max_iter, random_state=self.seed)

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Raw texts -> token lists with the stored preprocessing."""
        return self.preprocessor.transform(list(texts))

    def _check_fitted(self) -> None:
        if self.model_ is None:
            raise TextrnnError("the classifier is not trained; call fit() or load() first")

    def _targets(self, labels: Sequence[str]) -> np.ndarray:
        return np.array(label_positions(labels, self.labels_), dtype=np.int64)

    # -- training ---------------------------------------------------------------------

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        val_texts: Sequence[str] | None = None,
        val_labels: Sequence[str] | None = None,
        quiet: bool = False,
        train_tokens: list[list[str]] | None = None,
        val_tokens: list[list[str]] | None = None,
    ) -> "TfidfLogisticRegression":
        """Fit the vocabulary, idf and logistic regression on raw texts and string labels.

        The validation set is only scored (``summary_["val"]``); nothing is tuned on it.
        ``train_tokens`` / ``val_tokens`` may pass already preprocessed texts.

        Raises:
            TextrnnError: lengths differ, no texts, a single class, validation labels unseen
                in training, or no term survives the vocabulary thresholds.
        """
        import warnings

        texts, labels = list(texts), normalize_labels(labels)
        if len(texts) != len(labels):
            raise TextrnnError(f"{len(texts)} texts but {len(labels)} labels")
        if not texts:
            raise TextrnnError("no training texts")
        tokens = train_tokens if train_tokens is not None else self.tokenize(texts)
        if len(tokens) != len(texts):
            raise TextrnnError(f"{len(texts)} texts but {len(tokens)} token lists")
        if count_empty(tokens) == len(tokens):
            raise TextrnnError(f"all {len(tokens)} training texts are empty after preprocessing ({self.preprocessor!r}); "
                               f"nothing to learn from")
        tokens, texts, labels = drop_empty(tokens, texts, labels, say=None if quiet else log.info)
        names = check_label_sets(labels)
        if val_texts is not None:
            if val_labels is None:
                raise TextrnnError("validation texts given without validation labels")
            val_labels = [str(y) for y in val_labels]
            if len(val_texts) != len(val_labels):
                raise TextrnnError(f"{len(val_texts)} validation texts but {len(val_labels)} labels")
            check_label_sets(labels, val_labels)
        start = time.perf_counter()
        self.labels_ = names
        X = self.vectorizer_.fit_transform(tokens)
        y = self._targets(labels)
        model = self._new_model()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(X, y)
        converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        self.model_ = model
        train_seconds = time.perf_counter() - start
        val = None
        if val_texts is not None:
            vt = val_tokens if val_tokens is not None else self.tokenize(val_texts)
            vt, vl = drop_empty(vt, val_labels, what="validation texts", say=None if quiet else log.info)
            if vt:
                pred = self._proba_from_tokens(vt).argmax(1)
                val = classification_metrics(self._targets(vl), pred, self.labels_)
        self.history_ = []
        self.summary_ = {
            "val": val, "train_seconds": train_seconds,
            "n_features": int(X.shape[1]), "n_train": len(texts), "converged": converged,
            "n_iter": int(np.max(model.n_iter_)),
        }
        if not quiet:
            msg = (f"tfidf-lr ({self.vectorizer_.analyzer}): {len(texts)} training texts, labels {names}, "
                   f"{X.shape[1]:,} features, {self.n_parameters():,} parameters, {train_seconds:.1f}s")
            if val is not None:
                msg += f"; val accuracy {val['accuracy']:.4f}, macro_f1 {val['macro_f1']:.4f}"
            if not converged:
                msg += f" (lbfgs did not converge in {self.max_iter} iterations)"
            log.info(msg)
        return self

    # -- prediction -------------------------------------------------------------------

    def _proba_from_tokens(self, tokens: list[list[str]]) -> np.ndarray:
        report_empty_predictions(tokens)
        X = self.vectorizer_.transform(tokens)
        return self.model_.predict_proba(X).astype(np.float32)

    def predict_proba(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """Class probabilities ``(n, n_classes) float32``; columns follow ``labels_``.
        ``batch_size`` is accepted for interface compatibility and ignored."""
        self._check_fitted()
        return self._proba_from_tokens(self.tokenize(texts))

    def predict(self, texts: Sequence[str], batch_size: int | None = None) -> list[str]:
        """The most probable label of each text."""
        return [self.labels_[i] for i in self.predict_proba(texts).argmax(1)]

    def evaluate(self, texts: Sequence[str], labels: Sequence[str], batch_size: int | None = None) -> dict:
        """Accuracy, macro-F1, per-class scores, confusion matrix, and ``seconds`` spent predicting
        (preprocessing included).

        Raises:
            TextrnnError: a label the model does not know.
        """
        self._check_fitted()
        y = self._targets([str(v) for v in labels])
        start = time.perf_counter()
        pred = self.predict_proba(texts).argmax(1)
        seconds = time.perf_counter() - start
        return {**classification_metrics(y, pred, self.labels_), "seconds": seconds}

    def n_parameters(self) -> int:
        """Number of coefficients plus intercepts (1 row for 2 classes, one per class otherwise)."""
        self._check_fitted()
        return int(self.model_.coef_.size + self.model_.intercept_.size)

    def top_features(self, n: int = 10) -> dict[str, list[tuple[str, float]]]:
        """The ``n`` terms with the largest coefficients per class (binary: the positive
        class gets the largest, the negative class the most negative coefficients)."""
        self._check_fitted()
        terms = self.vectorizer_.terms()
        coef = self.model_.coef_
        out = {}
        if coef.shape[0] == 1:
            order = np.argsort(coef[0], kind="stable")
            out[self.labels_[0]] = [(terms[j], float(coef[0, j])) for j in order[:n]]
            out[self.labels_[1]] = [(terms[j], float(coef[0, j])) for j in order[::-1][:n]]
        else:
            for k, name in enumerate(self.labels_):
                order = np.argsort(-coef[k], kind="stable")
                out[name] = [(terms[j], float(coef[k, j])) for j in order[:n]]
        return out

    # -- persistence ------------------------------------------------------------------

    def config_dict(self) -> dict:
        return header("classifier", model_type=self.model_type, preprocessing=self.preprocessor.to_dict(),
                      tfidf=self.vectorizer_.params(),
                      logreg={"C": self.C, "solver": SOLVER, "max_iter": self.max_iter, "seed": self.seed})

    def save(self, out: str | Path, force: bool = False, extra: dict | None = None) -> Path:
        """Write the model directory atomically.

        Files: ``config.json``, ``labels.json``, ``vectorizer.json`` (terms in column order
        and idf per part), ``model.safetensors`` (``coef`` ``(1 or n_classes, n_terms) float64``,
        ``intercept`` ``(1 or n_classes,) float64``), ``metrics.json``. ``extra`` is merged
        into ``config.json``.

        Raises:
            TextrnnError: not fitted, or ``out`` exists and ``force`` is false.
        """
        self._check_fitted()
        with atomic_dir(out, force=force) as tmp:
            write_json(tmp / "config.json", {**self.config_dict(), **(extra or {})})
            write_json(tmp / "labels.json", {"labels": self.labels_, "binary": len(self.labels_) == 2})
            write_json(tmp / "vectorizer.json", self.vectorizer_.to_dict())
            save_file(
                {"coef": np.ascontiguousarray(self.model_.coef_, dtype=np.float64),
                 "intercept": np.ascontiguousarray(self.model_.intercept_, dtype=np.float64)},
                str(tmp / "model.safetensors"), metadata={"format": "numpy"},
            )
            write_json(tmp / "metrics.json", self.summary_)
        return Path(out)

    @classmethod
    def load(cls, run_dir: str | Path, config: dict | None = None, device: str = "cpu") -> "TfidfLogisticRegression":
        """Load a directory written by :meth:`save`; the vectoriser is rebuilt from its stored
        vocabulary and idf (not refitted) and the regression from its stored coefficients, whose
        shapes are checked against the vocabulary before they are read.

        Raises:
            TextrnnError: not a ``tfidf-lr`` classifier directory, or a file is missing, damaged or inconsistent.
        """
        run_dir = Path(run_dir)
        config = config or read_config(run_dir, kind="classifier")
        if config.get("model_type") != cls.model_type:
            raise TextrnnError(f"{str(run_dir)!r} holds a {config.get('model_type')!r} model, expected 'tfidf-lr'")
        t, lr = section(config, "tfidf", run_dir), section(config, "logreg", run_dir)
        try:
            self = cls(
                preprocessor=Preprocessor.from_dict(section(config, "preprocessing", run_dir)),
                seed=lr.get("seed", 13), analyzer=t["analyzer"], word_ngram_range=t["word_ngram_range"],
                char_ngram_range=t["char_ngram_range"], C=lr.get("C", 4.0), min_df=t["min_df"], max_df=t["max_df"],
                max_features=t["max_features"], sublinear_tf=t["sublinear_tf"], max_iter=lr.get("max_iter", 2000),
                device=device,
            )
        except KeyError as e:
            raise TextrnnError(f"{str(run_dir)!r}: config.json lacks {e.args[0]!r}") from None
        except TypeError as e:
            raise TextrnnError(f"{str(run_dir)!r} has a damaged config.json ({e})") from None
        self.labels_ = read_labels(run_dir)
        self.vectorizer_ = TextVectorizer.from_dict(read_json(run_dir / "vectorizer.json", VOCAB_BYTES))
        rows = 1 if len(self.labels_) == 2 else len(self.labels_)
        weights = run_dir / "model.safetensors"
        from textrnn.inference.weights import read_header

        header = read_header(weights)
        shapes = {name: shape for name, (_, shape) in header.items()}
        if any(dtype not in ("F64", "F32") for dtype, _ in header.values()):
            raise TextrnnError(f"{str(weights)!r} stores {sorted({d for d, _ in header.values()})}; expected float32 or "
                               f"float64 coefficients")
        expected = {"coef": (rows, self.vectorizer_.n_features_), "intercept": (rows,)}
        if shapes != expected:
            raise TextrnnError(f"{str(weights)!r} holds {shapes}; expected {expected} for {len(self.labels_)} labels "
                               f"and {self.vectorizer_.n_features_} features")
        try:
            arrays = load_file(str(weights))
        except Exception as e:  # safetensors raises its own error types for corrupt files
            raise TextrnnError(f"cannot load {str(weights)!r}: {str(e).splitlines()[0]}") from None
        if not all(np.isfinite(a).all() for a in arrays.values()):
            raise TextrnnError(f"{str(weights)!r} holds non-finite coefficients")
        model = self._new_model()
        model.classes_ = np.arange(len(self.labels_))
        model.coef_ = arrays["coef"].astype(np.float64)
        model.intercept_ = arrays["intercept"].astype(np.float64)
        model.n_features_in_ = model.coef_.shape[1]
        self.model_ = model
        self.summary_ = read_metrics(run_dir)
        self.record = {"data": config["data"]} if isinstance(config.get("data"), dict) else {}
        return self

    def describe(self) -> dict:
        return {"kind": "classifier", "model_type": self.model_type, "labels": self.labels_,
                "n_features": self.vectorizer_.n_features_, "n_parameters": self.n_parameters()}
