"""Text as editors write it: paragraphs separated by blank lines."""


def split_paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]
