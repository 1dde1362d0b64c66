"""The three baselines the suggester is measured against, on the same folds and the same units.

- `rules`: the codebook alone (keyword lemmas and definition similarity, `suggest.rules`).
- `tfidf_similarity`: NVivo-style "autocode using existing coding patterns": a sentence gets a
  code when its tf-idf cosine similarity to the code's already-coded content passes a per-code
  threshold chosen on the training data.
- `spacy_textcat_bow`: spaCy's `textcat_multilabel` with the bag-of-words architecture in a blank
  English pipeline, trained a few epochs in-process on the same sentences (nothing downloaded).

Each `fit_*` takes a training `TrainingSet` and returns a function from a test `TrainingSet` to
sentence-level (scores, flags) over the training set's codes.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from themecode.suggest.model import best_threshold
from themecode.suggest.rules import RULE_THRESHOLD, RuleScorer
from themecode.suggest.suggester import TrainingSet

Predict = Callable[[TrainingSet], tuple[np.ndarray, np.ndarray]]
TEXTCAT_EPOCHS = 5


def fit_rules(train: TrainingSet, rules: RuleScorer) -> Predict:
    """Codebook rules need no training: score every sentence, flag at RULE_THRESHOLD."""
    index = [rules.code_ids.index(c) if c in rules.code_ids else -1 for c in train.codes]

    def predict(test: TrainingSet) -> tuple[np.ndarray, np.ndarray]:
        raw = rules.score(test.texts) if len(test.texts) else np.zeros((0, len(rules.code_ids)))
        scores = np.zeros((len(test.texts), len(train.codes)))
        for j, i in enumerate(index):
            if i >= 0:
                scores[:, j] = raw[:, i]
        return scores, scores >= RULE_THRESHOLD

    return predict


def fit_tfidf_similarity(train: TrainingSet) -> Predict:
    """Cosine similarity of each sentence to the mean tf-idf vector of each code's coded content."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    x = vec.fit_transform(train.lemmas)
    k = len(train.codes)
    profiles = np.zeros((k, x.shape[1]))
    for j in range(k):
        pos = train.y[:, j]
        if pos.any():
            centroid = np.asarray(x[pos].mean(axis=0)).ravel()
            profiles[j] = centroid / (np.linalg.norm(centroid) or 1.0)
    train_scores = np.asarray(x @ profiles.T)
    thresholds = np.array([
        best_threshold(train_scores[:, j], train.y[:, j]) if train.y[:, j].any() else 1.01
        for j in range(k)
    ])

    def predict(test: TrainingSet) -> tuple[np.ndarray, np.ndarray]:
        scores = np.clip(np.asarray(vec.transform(test.lemmas) @ profiles.T), 0.0, 1.0)
        return scores, scores >= thresholds

    return predict


def fit_textcat(train: TrainingSet, epochs: int = TEXTCAT_EPOCHS, seed: int = 0) -> Predict:
    """spaCy `textcat_multilabel` (TextCatBOW.v3, unigrams + bigrams) trained on the sentences."""
    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat_multilabel", config={"model": {
        "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2,
        "no_output_layer": False, "length": 262144}})
    learnt = [c for j, c in enumerate(train.codes) if train.y[:, j].any()]
    for code in learnt:
        textcat.add_label(code)
    if not learnt:
        return lambda test: (np.zeros((len(test.texts), len(train.codes))),
                             np.zeros((len(test.texts), len(train.codes)), dtype=bool))
    examples = []
    for text, row in zip(train.texts, train.y, strict=True):
        cats = {c: float(row[train.codes.index(c)]) for c in learnt}
        examples.append(Example.from_dict(nlp.make_doc(text), {"cats": cats}))
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=32):
            nlp.update(batch, sgd=optimizer, losses={})
    cols = [train.codes.index(c) for c in learnt]

    def predict(test: TrainingSet) -> tuple[np.ndarray, np.ndarray]:
        scores = np.zeros((len(test.texts), len(train.codes)))
        for i, doc in enumerate(nlp.pipe(test.texts, batch_size=256)):
            scores[i, cols] = [doc.cats[c] for c in learnt]
        return scores, scores >= 0.5

    return predict
