"""``python -m minerscope``: the command line."""

from minerscope.cli import main

if __name__ == "__main__":
    main()
