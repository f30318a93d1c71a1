"""Reader revenue for independent newsrooms: appeals, donations, Stripe payments, pledges."""
