"""``python -m langchain_openrouter_free.cli``: same as ``openrouter-free``."""

from langchain_openrouter_free.cli import main

raise SystemExit(main())
