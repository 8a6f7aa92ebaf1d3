"""One module per router; routes never import each other."""
