"""`python -m resosearch` is the `resosearch` command."""

from resosearch.cli import main

raise SystemExit(main())
