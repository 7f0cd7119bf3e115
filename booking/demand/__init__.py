"""Demand for mobile advice days: people who register interest in a town."""
