"""mailer: press-release distribution for communications teams."""

__version__ = "0.1.0"
__all__ = ["__version__"]
