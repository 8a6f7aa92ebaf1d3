"""SHACL validation: one entry point, the profiles in microhe/shapes, pyshacl as the reference engine and the compiled engine proven equal to it."""
