"""Demo data: the real IQ MV network with fictional counsellors, for development and demos."""
