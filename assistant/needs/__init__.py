"""Needs: the record model, transcripts, extraction (model + rules) and the need log."""
