"""Accounts and spend (contract section 12), one job per module.

- ``passwords``: argon2 hashes.
- ``tokens``: JWT access tokens and rotating refresh-token families (sign-ins).
- ``siwe``: Sign-In with Ethereum (EIP-4361) nonces and verification.
- ``keys``: named API keys, hashed at rest.
- ``identity``: who a bearer credential belongs to (keys and access tokens).
- ``admin``: an admin's view of users: grants, limits, disabling.
- ``credits``: the ledger (grant, reserve, charge, release) whose sum is the balance.
- ``budgets``: per-run budgets, checked before each node starts.
- ``ratelimit``: per-user limits on run submissions and provider calls.
- ``gate``: the few calls the engine makes into all of the above.
"""
