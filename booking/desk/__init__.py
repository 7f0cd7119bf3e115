"""The office desk: book for callers and walk-ins, find, move and print appointments."""
