"""Understanding by meaning: the product's one place for reading what a line means.

``semantic`` turns sentences into vectors with the shipped multilingual embedder and finds
their nearest labelled examples; the coach, the need extraction and the role-play trainer
build their semantic layers on it instead of each holding its own.
"""
