"""Calendar subscription feeds: secret counsellor and organisation feeds, the outreach feed."""
