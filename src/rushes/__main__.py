from rushes.cli.main import main

main()
