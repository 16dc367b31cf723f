"""Authentication building blocks: PKCE, the sealed login transaction, cookies, redirects, token checks, IdP client."""
