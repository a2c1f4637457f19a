from calmkit.cli import main

raise SystemExit(main())
