from harness.crossversion.cli import main

raise SystemExit(main())
