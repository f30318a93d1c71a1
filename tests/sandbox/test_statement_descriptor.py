"""What a donor's card statement shows: the account's descriptor, as Stripe combines it."""

import pytest

from stripe_sandbox.objects import statement_descriptor


@pytest.mark.parametrize(
    "name, suffix, shown",
    [
        ("The Moscow Times", None, "THE MOSCOW TIMES"),
        ("Новая газета Europe", None, "EUROPE"),
        ("The Bureau of Investigative Journalism", None, "THE BUREAU OF INVESTIG"),
        ("The Moscow Times", "DONATION", "THE MOSCOW T* DONATION"),
    ],
)
def test_the_statement_shows_the_business_name_in_what_card_networks_take(name, suffix, shown):
    assert statement_descriptor(name, suffix) == shown
    assert len(shown) <= 22
