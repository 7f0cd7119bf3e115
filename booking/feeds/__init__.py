"""Calendar subscription feeds: secret per-counsellor and per-organisation feeds, the public outreach feed."""
