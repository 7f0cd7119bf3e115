"""The services clients can book, with their translatable names and descriptions."""
