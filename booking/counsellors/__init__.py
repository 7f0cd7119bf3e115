"""Counsellors: who advises, for which organisation, in which languages."""
