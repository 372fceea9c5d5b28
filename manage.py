#!/usr/bin/env python
from cme.cli import main

if __name__ == "__main__":
    main()
