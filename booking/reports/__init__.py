"""Statistics for reports to funders: figures, charts and CSV, without personal data."""
