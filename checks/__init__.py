"""Evidence primitives the suites use (HTTP client with transcripts, redaction, secrets, sign-in, the check
catalog) and the pytest plugin that turns a run into check results (`checks.plugin`)."""
