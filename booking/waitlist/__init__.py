"""Waiting lists at the offices: a freed time is offered to waiting people in turn."""
