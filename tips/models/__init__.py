from .things import Click, Thing

__all__ = ["Click", "Thing"]
