"""Citizens' optional accounts: sign-in by a one-time code, "My reports", claiming the cases sent from a phone."""
