"""pytest plugin for langchain-openrouter-free (cassette kit; filled in by issue 4)."""
