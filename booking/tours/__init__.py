"""Mobile advice tours: travel times, planned days and their stops."""
