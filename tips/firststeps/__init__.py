"""First steps: what a new reader still has to do, and the nudge a creator with earnings
gets to set up a payment account (issue 18, "First steps")."""
