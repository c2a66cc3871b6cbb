"""LangChain chat model for OpenRouter's free models."""

from langchain_openrouter_free._version import __version__

__all__ = ["__version__"]
