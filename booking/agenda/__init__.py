"""The counsellor's agenda: day and week views, appointment details, outcomes and follow-ups."""
