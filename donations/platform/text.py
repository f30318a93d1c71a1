"""Text as editors write it: paragraphs separated by blank lines."""


def split_paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


def wait_in_words(seconds: int) -> str:
    """'40 seconds', '2 minutes': how long a reader waits, rounded up to whole minutes past 90 s."""
    if seconds <= 90:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    return f"{-(-seconds // 60)} minutes"
