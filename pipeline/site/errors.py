"""The build's own failure, in a module of its own: the command line catches it without importing the build."""


class BuildError(Exception):
    """The engine failed after validation passed: a theme or environment problem, not content."""
