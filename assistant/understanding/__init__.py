"""Understanding by meaning: the product's one place for reading what a line means.

``vocabulary`` declares the need vocabulary once (dimensions, kinds, owners, slots, question
types, turn acts with their zh/en labels); ``lexicon`` holds the cue words, one lexicon per
language; ``semantic`` turns sentences into vectors with the shipped multilingual embedder;
``classifier`` is the sentence classifier trained on labelled customer sentences; ``reading``
(``read_turn``) combines cues and classifier into one reading of a customer turn.
"""
