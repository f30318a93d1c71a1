"""English is the language the strings are written in: its catalogue says each msgid back, so
it is complete like the others (tests/test_translations.py) and has English plural rules."""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def main(path: str) -> None:
    with open(path, "rb") as file:
        catalogue = read_po(file, locale="en")
    for message in catalogue:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
    with open(path, "wb") as file:
        write_po(file, catalogue, omit_header=False, no_location=True, sort_output=True)


if __name__ == "__main__":
    main(sys.argv[1])
