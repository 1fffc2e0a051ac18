from anchorspend.cli import main

main()
