"""The budget demo: the synthetic county generator, the public reference codes, and the seed
that imports a generated year."""
